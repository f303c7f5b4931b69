using Platform.Procurement.Domain;
using Xunit;
using static Platform.Procurement.Domain.Tests.TestData;

namespace Platform.Procurement.Domain.Tests;

/// <summary>
/// Issue 21 (the mutation run of procurement-domain): what the procurement lead reads about an open gate, and the
/// case rebuilt from storage in the order its records were made, whatever order storage hands them back in.
/// </summary>
public class OpenGateDetailTests
{
    [Fact]
    public void An_expired_gate_names_each_piece_of_evidence_that_ran_out_earliest_first_with_its_day()
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        Approved(@case, technology);

        var penTestOnly = @case.OpenGates(Days(250)).Single(g => g.Gate == GateKind.DtacTechnicalSecurity);
        Assert.Equal((GateKind.DtacTechnicalSecurity, GateState.Expired), (penTestOnly.Gate, penTestOnly.State));
        Assert.Equal("expired: penetration test on 18 September 2026", penTestOnly.Detail);

        var both = @case.OpenGates(Days(301)).Single(g => g.Gate == GateKind.DtacTechnicalSecurity);
        Assert.Equal("expired: penetration test on 18 September 2026, DTAC renewal on 27 December 2026", both.Detail);
        Assert.Equal("DTAC C3 technical security (expired: penetration test on 18 September 2026, DTAC renewal on 27 December 2026)", both.ToString());
    }

    [Theory]
    [InlineData(ExpiringEvidenceKind.DtacRenewal, "DTAC renewal")]
    [InlineData(ExpiringEvidenceKind.PenetrationTest, "penetration test")]
    [InlineData(ExpiringEvidenceKind.DsptStatus, "DSPT status")]
    [InlineData(ExpiringEvidenceKind.EhiaReview, "EHIA review")]
    [InlineData(ExpiringEvidenceKind.DpiaReview, "DPIA review")]
    [InlineData(ExpiringEvidenceKind.DataSharingAgreement, "data sharing agreement")]
    [InlineData(ExpiringEvidenceKind.PolicyReview, "policy review")]
    [InlineData(ExpiringEvidenceKind.Unspecified, "evidence")]
    public void Each_kind_of_expiring_evidence_is_named_in_words(ExpiringEvidenceKind kind, string words) =>
        Assert.Equal(words, new ExpiringEvidence(kind, Now).Describe());

    [Fact]
    public void A_failed_gate_says_why_it_failed()
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        Record(@case, technology, Interoperability() with { Passed = false });
        var open = @case.OpenGates(Now).Single();
        Assert.Equal((GateKind.DtacInteroperability, GateState.Failed), (open.Gate, open.State));
        Assert.Equal("failed: the interoperability answers were not accepted", open.Detail);
    }

    [Fact]
    public void A_case_rebuilt_from_records_in_any_order_holds_the_latest_record_of_each_gate_and_the_latest_approval()
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        var failed = Record(@case, technology, Legal() with { Compliant = false }, at: Days(1));
        var renewed = Record(@case, technology, Legal(), at: Days(2));
        var first = @case.Approve(Full(), technology, Lead, Policy, Guid.NewGuid(), Days(3)).Value;
        @case.Withdraw("Safety concern raised by the ward", Lead, Days(4));
        var second = @case.Approve(Full(), technology, Lead, Policy, Guid.NewGuid(), Days(5)).Value;

        var header = ProcurementCase.Open(new OpenCaseRequest(technology.Id, Setting, "Adult acute admission wards", StatedPurpose.DirectCareOrTreatment),
            technology, [], Lead, @case.Id, Days(-30)).Value;
        var rebuilt = ProcurementCase.Restore(header, @case.GateRecords.Reverse(), [second, first]);

        Assert.Same(renewed, rebuilt.Current(GateKind.LegalProcurementCompliance));
        Assert.NotSame(failed, rebuilt.Current(GateKind.LegalProcurementCompliance));
        Assert.Same(second, rebuilt.CurrentApproval);
        Assert.Equal(CaseStatus.Approved, rebuilt.Status);
        Assert.Empty(rebuilt.OpenGates(Days(6)));
    }
}
