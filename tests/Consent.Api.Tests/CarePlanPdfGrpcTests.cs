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
    public async Task The_care_plan_record_comes_with_its_pdf_copy_when_asked_and_another_trust_gets_not_found()
    {
        var a = new ConsentClient(fixture.App, "PDF1");
        var use = await ActiveUseAsync(a);

        var textOnly = await a.Call(c => c.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = use.CarePlanRecordId }));
        Assert.True(textOnly.PatientCopyPdf.IsEmpty);

        var withPdf = await a.Call(c => c.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = use.CarePlanRecordId, IncludePdf = true }));
        var pdf = withPdf.PatientCopyPdf.ToByteArray();
        Assert.Equal("%PDF-"u8.ToArray(), pdf[..5]);
        var text = CarePlanPdfTests.Flat(CarePlanPdfTests.Text(pdf));
        Assert.Contains("Your care plan: bedside sleep sensor", text);
        Assert.Contains("falls at night; sensor alerts staff when she gets up so someone can help", text);
        Assert.Contains("tell any nurse, or ask your son to", text);
        Assert.Contains($"Care-plan record: {use.CarePlanRecordId}", text);

        var b = new ConsentClient(fixture.App, "PDF2");
        await b.Refused(c => c.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = use.CarePlanRecordId, IncludePdf = true }), StatusCode.NotFound, "care-plan.not-found");
    }

    [Fact]
    public async Task Without_a_chosen_pdf_licence_the_pdf_is_refused_by_name_and_the_text_copy_still_works()
    {
        await using var app = await ServiceFactory<Program>.StartOnPostgresAsync("consent", new Dictionary<string, string?> { ["Consent:Schedules:Enabled"] = "false" });
        var a = new ConsentClient(app, "PDF3");
        var use = await ActiveUseAsync(a);
        var refused = await a.Refused(c => c.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = use.CarePlanRecordId, IncludePdf = true }), StatusCode.FailedPrecondition, "care-plan-pdf.not-enabled");
        Assert.Contains("Consent:CarePlanPdf:Licence", refused.Status.Detail);
        var text = await a.Call(c => c.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = use.CarePlanRecordId }));
        Assert.Contains("You agreed to this.", text.PatientCopyText);
    }
}
