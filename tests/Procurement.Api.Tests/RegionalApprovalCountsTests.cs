using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Procurement.V1;
using Platform.Domain;
using Platform.Grpc.Interceptors;
using Platform.KnownTrusts;
using Platform.Procurement.Api.Application;
using Platform.Testing;
using Xunit;
using Evidence = Platform.Contracts.Evidence.V1;
using static Platform.Procurement.Api.Tests.ProcurementCaseClient;

namespace Platform.Procurement.Api.Tests;

/// <summary>
/// The region analyst's approval counts (issue 19, ADR 0039): each technology, matched across trusts by name ignoring
/// case and outer spaces, with its procurement cases counted by setting type and approval status over the region's
/// active trusts and per trust; each trust read in its own tenant scope; a region token only.
/// </summary>
public class RegionalApprovalCountsTests(ProcurementClockFixture fixture) : IClassFixture<ProcurementClockFixture>
{
    private ProcurementCaseClient Trust(string ods) => new(fixture, ods);

    private ProcurementService.ProcurementServiceClient Region(params string[] roles) =>
        fixture.App.GrpcClientWithToken<ProcurementService.ProcurementServiceClient>(TestTokens.Shared.MintForTrusts([], roles.Length == 0 ? ["region-analyst"] : roles));

    private static (string Setting, CaseStatus Status, int Cases)[] Counts(IEnumerable<RegionalApprovalCount> counts) =>
        [.. counts.Select(c => (c.SettingCode, c.Status, c.Cases))];

    /// <summary>A case for <paramref name="technology"/> in <paramref name="setting"/>, left open, approved in full, or approved and then withdrawn.</summary>
    private static async Task<ProcurementCase> CaseAsync(ProcurementCaseClient trust, Technology technology, string setting, CaseStatus status)
    {
        await trust.WardAsync($"W-{setting}".ToUpperInvariant(), setting);
        var opened = await trust.As(Lead).OpenCaseAsync(new OpenCaseRequest
        {
            TechnologyId = technology.TechnologyId, SettingCode = setting, SettingDescription = $"The trust's {setting} wards", Purpose = StatedPurpose.DirectCareOrTreatment,
        });
        if (status == CaseStatus.Open) return opened;
        await trust.RecordEveryGateButTheAppraisalAsync(opened.CaseId);
        await trust.DeliverAppraisalAsync(technology.TechnologyId, setting, Evidence.AppraisalConclusion.Sufficient);
        await trust.As(Lead).ApproveAsync(new ApproveRequest { CaseId = opened.CaseId, Kind = ApprovalKind.Full, Rationale = "Every gate met; evidence sufficient for this ward type." });
        if (status == CaseStatus.Withdrawn)
            await trust.As(Lead).WithdrawAsync(new WithdrawRequest { CaseId = opened.CaseId, Reason = "The supplier ended support for the product in this setting." });
        return opened;
    }

    [Fact]
    public async Task Counts_each_status_by_setting_across_the_active_trusts_and_per_trust_with_each_trusts_row_its_own()
    {
        var name = $"Mood diary {Guid.NewGuid():N}";
        var (a, b, c, suspended) = (Trust("RAC1"), Trust("RAC2"), Trust("RAC3"), Trust("RAC4"));
        // RAC1: approved on acute wards, open on the PICU. RAC2 registered the name in other letters and outer spaces
        // (the same technology to the region): withdrawn on acute wards, open in CAMHS. RAC3 has another product whose
        // name only starts the same. RAC4 registered it too, then the directory suspended the trust.
        var atA = await a.TechnologyAsync(name);
        var cases = new List<ProcurementCase>
        {
            await CaseAsync(a, atA, "acute-adult", CaseStatus.Approved),
            await CaseAsync(a, atA, "picu", CaseStatus.Open),
        };
        var atB = await b.TechnologyAsync("  " + name.ToUpperInvariant() + " ");
        cases.Add(await CaseAsync(b, atB, "acute-adult", CaseStatus.Withdrawn));
        cases.Add(await CaseAsync(b, atB, "camhs", CaseStatus.Open));
        cases.Add(await CaseAsync(c, await c.TechnologyAsync(name + " Pro"), "acute-adult", CaseStatus.Open));
        await CaseAsync(suspended, await suspended.TechnologyAsync(name), "acute-adult", CaseStatus.Open);
        await using (var scope = fixture.App.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<KnownTrustRecorder>().RecordAsync(new KnownTrustChange("RAC4", "Suspended trust", Active: false), default);

        var reply = await Region().GetRegionalApprovalCountsAsync(new GetRegionalApprovalCountsRequest { TechnologyName = " " + name.ToLowerInvariant() });

        Assert.Contains("RAC1", reply.Trusts);
        Assert.Contains("RAC3", reply.Trusts);
        Assert.DoesNotContain("RAC4", reply.Trusts);
        Assert.False(reply.More);
        var technology = Assert.Single(reply.Technologies);
        // One trust each spelled it either way: the tie goes to the first spelling in ordinal order.
        Assert.Equal(name.ToUpperInvariant(), technology.TechnologyName);
        Assert.Equal([("acute-adult", CaseStatus.Approved, 1), ("acute-adult", CaseStatus.Withdrawn, 1), ("camhs", CaseStatus.Open, 1), ("picu", CaseStatus.Open, 1)],
            Counts(technology.Counts));
        Assert.Equal(["RAC1", "RAC2"], technology.Trusts.Select(t => t.OdsCode));
        Assert.Equal([("acute-adult", CaseStatus.Approved, 1), ("picu", CaseStatus.Open, 1)], Counts(technology.Trusts[0].Counts));
        Assert.Equal([("acute-adult", CaseStatus.Withdrawn, 1), ("camhs", CaseStatus.Open, 1)], Counts(technology.Trusts[1].Counts));

        // Counts only: no case, technology or approval id, no rationale or reason, no person.
        var json = JsonFormatter.Default.Format(reply);
        Assert.All(cases, k => Assert.DoesNotContain(k.CaseId, json));
        Assert.DoesNotContain(atA.TechnologyId, json);
        Assert.DoesNotContain("supplier ended support", json);
        Assert.DoesNotContain("test-user", json);
    }

    [Fact]
    public async Task Every_technology_of_the_region_comes_in_name_order_page_by_page_with_a_registered_technology_without_cases_listed_empty()
    {
        var prefix = $"Paged {Guid.NewGuid():N}";
        var (a, b) = (Trust("RAC5"), Trust("RAC6"));
        await CaseAsync(a, await a.TechnologyAsync($"{prefix} c"), "acute-adult", CaseStatus.Open);
        await CaseAsync(b, await b.TechnologyAsync($"{prefix} A"), "picu", CaseStatus.Open);
        await b.TechnologyAsync($"{prefix} b");

        var seen = new List<RegionalTechnologyApprovals>();
        var request = new GetRegionalApprovalCountsRequest { PageSize = 2 };
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 100, "the pages never ended");
            var page = await Region().GetRegionalApprovalCountsAsync(request);
            Assert.True(page.Technologies.Count <= 2);
            seen.AddRange(page.Technologies);
            if (!page.More) break;
            request.AfterTechnologyName = page.Technologies[^1].TechnologyName;
        }

        var keys = seen.Select(t => t.TechnologyName.ToLowerInvariant()).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal).Distinct(), keys);
        var mine = seen.Where(t => t.TechnologyName.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal([$"{prefix} A", $"{prefix} b", $"{prefix} c"], mine.Select(t => t.TechnologyName));
        Assert.Equal(["RAC6"], mine[1].Trusts.Select(t => t.OdsCode));
        Assert.Empty(mine[1].Counts);
        Assert.Empty(mine[1].Trusts[0].Counts);

        // The name after which a page starts is compared ignoring case and outer spaces, as the names are.
        var after = await Region().GetRegionalApprovalCountsAsync(new GetRegionalApprovalCountsRequest { AfterTechnologyName = $" {prefix} A ".ToUpperInvariant(), PageSize = 1 });
        Assert.Equal($"{prefix} b", Assert.Single(after.Technologies).TechnologyName);
    }

    [Fact]
    public async Task Only_a_region_token_as_region_analyst_reads_the_counts_and_the_application_refuses_a_trusts_scope()
    {
        var request = new GetRegionalApprovalCountsRequest { TechnologyName = "Anything" };
        // A trust's token, even one carrying region-analyst, does not read across the region.
        var trust = await RefusedAsync(() => fixture.App.GrpcClient<ProcurementService.ProcurementServiceClient>("RAC1", "region-analyst").GetRegionalApprovalCountsAsync(request).ResponseAsync,
            StatusCode.PermissionDenied);
        Assert.Contains("names no trust", trust.Status.Detail);
        // The trust's procurement lead neither.
        await RefusedAsync(() => Trust("RAC1").As(Lead).GetRegionalApprovalCountsAsync(request).ResponseAsync, StatusCode.PermissionDenied);
        // A region token in another region role.
        var operatorCall = await RefusedAsync(() => Region("region-operator").GetRegionalApprovalCountsAsync(request).ResponseAsync, StatusCode.PermissionDenied);
        Assert.Equal(CallPolicyInterceptor.RoleRequiredRule, operatorCall.Trailers.GetValue(CallPolicyInterceptor.RuleTrailer));
        // The region analyst's token reads no trust's own cases.
        await RefusedAsync(() => Region().ListCasesAsync(new ListCasesRequest()).ResponseAsync, StatusCode.PermissionDenied);

        // Were the method ever reached in a trust's scope, the application refuses again.
        var inTrust = await fixture.App.InTenantAsync("RAC1", sp => sp.GetRequiredService<RegionalApprovals>().CountAsync("Anything", 0, null));
        Assert.Equal((RefusalKind.PermissionDenied, "region.token-required"), (inTrust.Refusal?.Kind, inTrust.Refusal?.Rule));
    }

    [Theory]
    [InlineData(201, 0, 0, "(technology_name)")]
    [InlineData(0, 201, 0, "after_technology_name")]
    [InlineData(0, 0, 101, "page_size")]
    [InlineData(0, 0, -1, "page_size")]
    public async Task Bad_input_is_refused_naming_the_field(int nameLength, int afterLength, int pageSize, string field)
    {
        var refused = await RefusedAsync(() => Region().GetRegionalApprovalCountsAsync(new GetRegionalApprovalCountsRequest
        {
            TechnologyName = new string('x', nameLength), AfterTechnologyName = new string('y', afterLength), PageSize = pageSize,
        }).ResponseAsync, StatusCode.InvalidArgument);
        Assert.Contains(field, refused.Status.Detail);
    }
}
