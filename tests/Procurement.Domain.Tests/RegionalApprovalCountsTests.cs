using Platform.Procurement.Domain;
using Xunit;

namespace Platform.Procurement.Domain.Tests;

/// <summary>The region's approval counts as the domain builds them (ADR 0039): matched by name, counted by setting and status.</summary>
public class RegionalApprovalCountsTests
{
    [Fact]
    public void Names_match_ignoring_case_and_outer_spaces_the_shown_name_is_most_trusts_spelling_and_each_trusts_row_counts_its_own_cases()
    {
        var built = RegionalApprovalCounts.Build(
        [
            new("RA1", "CalmWatch", [("picu", CaseStatus.Approved), ("acute-adult", CaseStatus.Open)]),
            new("RA2", " calmwatch ", [("picu", CaseStatus.Withdrawn)]),
            new("RA3", "CalmWatch", [("picu", CaseStatus.Approved)]),
            // Two products under one name in one trust (two suppliers): both are the trust's, counted in its row.
            new("RA3", "CALMWATCH", [("camhs", CaseStatus.Open)]),
            new("RA2", "CalmWatch Pro", []),
        ]);

        Assert.Equal(["calmwatch", "calmwatch pro"], built.Select(t => t.Key));
        var calm = built[0];
        Assert.Equal("CalmWatch", calm.Name);
        Assert.Equal(
            [new("acute-adult", CaseStatus.Open, 1), new("camhs", CaseStatus.Open, 1), new("picu", CaseStatus.Approved, 2), new ApprovalCount("picu", CaseStatus.Withdrawn, 1)],
            calm.Counts);
        Assert.Equal(["RA1", "RA2", "RA3"], calm.Trusts.Select(t => t.OdsCode));
        Assert.Equal([new("camhs", CaseStatus.Open, 1), new ApprovalCount("picu", CaseStatus.Approved, 1)], calm.Trusts[2].Counts);
        // A registered technology without a case: listed, with its trust, and no counts.
        Assert.Equal(("CalmWatch Pro", 0, "RA2", 0), (built[1].Name, built[1].Counts.Count, built[1].Trusts.Single().OdsCode, built[1].Trusts.Single().Counts.Count));
    }

    [Theory]
    [InlineData(false, false, CaseStatus.Open)]
    [InlineData(true, false, CaseStatus.Approved)]
    [InlineData(true, true, CaseStatus.Withdrawn)]
    public void A_cases_status_is_open_before_any_approval_then_its_latest_approvals(bool anyApproval, bool latestWithdrawn, CaseStatus status) =>
        Assert.Equal(status, RegionalApprovalCounts.StatusOf(anyApproval, latestWithdrawn));
}
