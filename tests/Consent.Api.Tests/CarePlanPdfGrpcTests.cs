using Platform.Contracts.Consent.V1;
using Platform.Grpc;
using Grpc.Core;
using Platform.Testing;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>The patient's PDF copy over gRPC: on request, for the record's own trust, and refused by name where it cannot be made.</summary>
public sealed class CarePlanPdfGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private static async Task<TechnologyUse> ActiveUseAsync(ConsentClient a)
    {
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology);
        await a.ConsentAsync(patient, technology);
        return await a.ActiveUseAsync(patient, technology);
    }

    [Fact]
    public async Task The_care_plan_record_comes_with_its_pdf_copy_when_asked_with_no_setting_and_another_trust_gets_not_found()
    {
        // The fixture's service sets nothing about PDFs: the copy is on by default.
        var a = new ConsentClient(fixture.App, "PDF1");
        var use = await ActiveUseAsync(a);

        var textOnly = await a.Call(c => c.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = use.CarePlanRecordId }));
        Assert.True(textOnly.PatientCopyPdf.IsEmpty);

        var withPdf = await a.Call(c => c.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = use.CarePlanRecordId, IncludePdf = true }));
        var pdf = withPdf.PatientCopyPdf.ToByteArray();
        Assert.Equal("%PDF-"u8.ToArray(), pdf[..5]);
        // Read back by poppler's pdftotext, as a patient's viewer would: the title and every care-plan item the
        // clinician recorded (ConsentClient.Use), each under its plain-words heading, in order.
        var text = CarePlanPdfTests.Flat(CarePlanPdfTests.Text(pdf));
        var items = ConsentClient.Use(use.PatientId, use.TechnologyId).CarePlan;
        string[] inOrder =
        [
            "Your care plan: bedside sleep sensor",
            "What we are using", "We are using bedside sleep sensor as part of your care.",
            "What this is for", items.Reason,
            "When and how it will be used", items.WhenAndHowUsed,
            "What we told you", items.InformationGiven, "easy read",
            "How the decision was made", items.DecisionMakingProcess,
            "What happens to your information", items.DataUse,
            "When we will look at this again", items.ReviewCovers,
            "How to say no or change your mind", items.HowToWithdraw,
            $"Care-plan record: {use.CarePlanRecordId}",
        ];
        var at = 0;
        foreach (var expected in inOrder)
        {
            var found = text.IndexOf(expected, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"Expected, after position {at}: \"{expected}\"\nin the PDF's text:\n{text}");
            at = found + expected.Length;
        }

        var b = new ConsentClient(fixture.App, "PDF2");
        await b.Refused(c => c.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = use.CarePlanRecordId, IncludePdf = true }), StatusCode.NotFound, "care-plan.not-found");
    }

    /// <summary>
    /// The copy in the accessible format recorded on the care plan (Accessible Information Standard, DCB1605): large
    /// print and easy read are generated; BSL cannot be, so the copy comes in plain language with BSL named for staff to
    /// arrange, and the request is on the use_proposed event the audit log keeps.
    /// </summary>
    [Fact]
    public async Task The_patients_copy_comes_in_the_recorded_format_where_it_can_be_made_and_bsl_is_named_for_staff_and_recorded()
    {
        var a = new ConsentClient(fixture.App, "PDF4");
        var technology = (await a.ApproveAsync()).TechnologyId;
        async Task<CarePlanRecord> CopyAsync(AccessibleFormat format)
        {
            var patient = await a.PatientAsync(AgeBand._26To64);
            var request = ConsentClient.Use(patient, technology);
            request.CarePlan.InformationFormat = format;
            var use = await a.Call(c => c.ProposeUseAsync(request));
            return await a.Call(c => c.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = use.CarePlanRecordId, IncludePdf = true }));
        }

        var large = await CopyAsync(AccessibleFormat.LargePrint);
        Assert.Equal((AccessibleFormat.LargePrint, AccessibleFormat.Unspecified, ""), (large.PatientCopyFormat, large.FormatToArrange, large.ToArrange));
        Assert.Contains("large print", CarePlanPdfTests.Info(large.PatientCopyPdf.ToByteArray()));
        var easy = await CopyAsync(AccessibleFormat.EasyRead);
        Assert.Equal((AccessibleFormat.EasyRead, AccessibleFormat.Unspecified), (easy.PatientCopyFormat, easy.FormatToArrange));
        Assert.Contains("easy read", CarePlanPdfTests.Info(easy.PatientCopyPdf.ToByteArray()));

        var bsl = await CopyAsync(AccessibleFormat.BritishSignLanguage);
        Assert.Equal((AccessibleFormat.StandardWritten, AccessibleFormat.BritishSignLanguage), (bsl.PatientCopyFormat, bsl.FormatToArrange));
        Assert.Contains("British Sign Language", bsl.ToArrange);
        Assert.Contains("plain language", CarePlanPdfTests.Info(bsl.PatientCopyPdf.ToByteArray()));

        var proposed = await Outbox.PublishedAsync<UseProposed>(fixture.App, "PDF4");
        Assert.Equal([AccessibleFormat.Unspecified, AccessibleFormat.Unspecified, AccessibleFormat.BritishSignLanguage], proposed.Select(e => e.PatientCopyToArrange));
    }

    [Fact]
    public async Task A_care_plan_in_a_script_the_pdf_font_lacks_is_refused_by_name_and_its_text_copy_still_works()
    {
        var a = new ConsentClient(fixture.App, "PDF3");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology);
        await a.ConsentAsync(patient, technology);
        var request = ConsentClient.Use(patient, technology);
        request.CarePlan.Reason = "Explained in Mandarin: 夜间跌倒.";
        var proposed = await a.Call(c => c.ProposeUseAsync(request));

        var refused = await a.Refused(c => c.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = proposed.CarePlanRecordId, IncludePdf = true }), StatusCode.FailedPrecondition, "care-plan-pdf.unsupported-characters");
        Assert.Contains("U+591C", refused.Status.Detail);
        var text = await a.Call(c => c.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = proposed.CarePlanRecordId }));
        Assert.Contains("Explained in Mandarin: 夜间跌倒.", text.PatientCopyText);
    }
}
