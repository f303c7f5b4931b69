using Platform.Procurement.Domain;
using Xunit;
using static Platform.Procurement.Domain.Tests.TestData;

namespace Platform.Procurement.Domain.Tests;

public class ExpiryTests
{
    public static TheoryData<string, GateKind, ExpiringEvidenceKind> ExpiringEvidence() => new()
    {
        { "penetration test", GateKind.DtacTechnicalSecurity, ExpiringEvidenceKind.PenetrationTest },
        { "DSPT status", GateKind.DtacDataProtection, ExpiringEvidenceKind.DsptStatus },
        { "DTAC renewal", GateKind.DtacInteroperability, ExpiringEvidenceKind.DtacRenewal },
    };

    /// <summary>An approved case whose one piece of evidence of <paramref name="kind"/> runs out 10 days from now.</summary>
    private static (ProcurementCase Case, Technology Technology) ApprovedWithEvidenceEnding(ExpiringEvidenceKind kind, DateTime ends)
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        GateEvidence shortLived = kind switch
        {
            ExpiringEvidenceKind.PenetrationTest => TechnicalSecurity() with { PenetrationTestValidUntil = ends },
            ExpiringEvidenceKind.DsptStatus => DataProtection() with { DsptValidUntil = ends },
            _ => Interoperability() with { DtacRenewalDue = ends },
        };
        Record(@case, technology, shortLived);
        Approved(@case, technology);
        return (@case, technology);
    }

    [Theory]
    [MemberData(nameof(ExpiringEvidence))]
    public void Evidence_that_runs_out_reopens_its_gate_and_is_reported_once(string words, GateKind gate, ExpiringEvidenceKind kind)
    {
        var (@case, _) = ApprovedWithEvidenceEnding(kind, Days(10));
        Assert.False(@case.ReviewExpiries(Policy, Days(9)).ChangedAnything);

        var review = @case.ReviewExpiries(Policy, Days(10));
        var reopened = Assert.Single(review.Reopened);
        Assert.Equal((gate, kind, Days(10)), (reopened.Gate, reopened.Expired.Single().Kind, reopened.Expired.Single().ValidUntil));
        Assert.Equal(GateState.Expired, @case.GateStateAt(gate, Days(10)));
        Assert.Contains(words, @case.OpenGates(Days(10)).Single().Detail);
        Assert.Null(review.Withdrawal);
        Assert.Equal(Days(40), review.WithdrawalDueAt);

        Assert.Empty(@case.ReviewExpiries(Policy, Days(11)).Reopened);
    }

    [Theory]
    [MemberData(nameof(ExpiringEvidence))]
    public void An_approval_stands_through_the_grace_period_and_is_withdrawn_after_it(string words, GateKind gate, ExpiringEvidenceKind kind)
    {
        var (@case, technology) = ApprovedWithEvidenceEnding(kind, Days(10));
        @case.ReviewExpiries(Policy, Days(10));
        Assert.Null(@case.ReviewExpiries(Policy, Days(39)).Withdrawal);
        Assert.True(@case.Covers(technology.Id, Setting, Days(39)));

        var withdrawal = @case.ReviewExpiries(Policy, Days(40)).Withdrawal;
        Assert.NotNull(withdrawal);
        Assert.Equal((WithdrawalCause.EvidenceExpired, ApprovalWithdrawal.ByExpiryReview, Days(40)), (withdrawal.Cause, withdrawal.WithdrawnBy, withdrawal.WithdrawnAt));
        Assert.Equal([gate], withdrawal.ExpiredGates);
        Assert.Contains(GateCatalogue.Of(gate).Name, withdrawal.Reason);
        Assert.Contains(words, withdrawal.Reason);
        Assert.Equal(CaseStatus.Withdrawn, @case.Status);
        Assert.False(@case.Covers(technology.Id, Setting, Days(40)));
        Assert.False(@case.ReviewExpiries(Policy, Days(41)).ChangedAnything);
    }

    [Fact]
    public void The_grace_period_is_the_trusts_own()
    {
        var (@case, _) = ApprovedWithEvidenceEnding(ExpiringEvidenceKind.PenetrationTest, Days(10));
        var noGrace = ProcurementPolicy.Default with { ExpiryGracePeriod = TimeSpan.Zero };
        var review = @case.ReviewExpiries(noGrace, Days(10));
        Assert.Single(review.Reopened);
        Assert.Equal(WithdrawalCause.EvidenceExpired, review.Withdrawal?.Cause);
    }

    [Fact]
    public void Evidence_renewed_within_the_grace_period_keeps_the_approval()
    {
        var (@case, technology) = ApprovedWithEvidenceEnding(ExpiringEvidenceKind.PenetrationTest, Days(10));
        @case.ReviewExpiries(Policy, Days(10));
        Record(@case, technology, TechnicalSecurity() with { PenetrationTestedOn = Days(15), PenetrationTestValidUntil = Days(380) }, Days(20));
        Assert.Equal(GateState.Passed, @case.GateStateAt(GateKind.DtacTechnicalSecurity, Days(45)));
        Assert.False(@case.ReviewExpiries(Policy, Days(45)).ChangedAnything);
        Assert.Equal(CaseStatus.Approved, @case.Status);
    }

    [Fact]
    public void A_trial_approval_lapses_at_its_end_date()
    {
        var technology = Technology();
        var @case = ReadyCase(technology, EvidenceConclusion.Minimal);
        Approved(@case, technology, Trial(ends: Days(90), plan: Trial().Evaluation! with { ReportDueBy = Days(80) }));
        Assert.True(@case.Covers(technology.Id, Setting, Days(89)));
        Assert.False(@case.Covers(technology.Id, Setting, Days(90)));

        var withdrawal = @case.ReviewExpiries(Policy, Days(90)).Withdrawal;
        Assert.Equal(WithdrawalCause.TrialEnded, withdrawal?.Cause);
        Assert.Contains("31 May 2026", withdrawal!.Reason);
        Assert.Equal(CaseStatus.Withdrawn, @case.Status);
    }

    [Fact]
    public void Expiry_before_any_approval_only_reopens_the_gate()
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        var review = @case.ReviewExpiries(Policy, Days(200));
        Assert.Contains(review.Reopened, g => g.Gate == GateKind.DtacTechnicalSecurity);
        Assert.Null(review.Withdrawal);
        Assert.Equal(CaseStatus.Open, @case.Status);
    }
}
