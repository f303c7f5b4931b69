using System.Data.Common;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Evidence.V1;
using Platform.Domain;
using Platform.Evidence.Api.Application;
using Platform.Evidence.Api.Grpc;
using Platform.Grpc.Interceptors;
using Platform.KnownTrusts;
using Platform.Testing;
using Xunit;
using EvidenceDbContext = Platform.Evidence.Api.Data.EvidenceDbContext;

namespace Platform.Evidence.Api.Tests;

/// <summary>Counts the queries (readers) run in the async flow of <see cref="Record"/>, whatever scope or task runs them.</summary>
public sealed class QueryRecorder : DbCommandInterceptor
{
    private static readonly AsyncLocal<List<string>?> s_into = new();

    /// <summary>Records the text of every query run from here on in this async flow into <paramref name="into"/>.</summary>
    public static void Record(List<string> into) => s_into.Value = into;

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (s_into.Value is { } into) lock (into) into.Add(command.CommandText);
        return ValueTask.FromResult(result);
    }
}

/// <summary>The evidence service with every query of its database context visible to <see cref="QueryRecorder"/>.</summary>
public sealed class RegionalAppraisalsFixture : IAsyncLifetime
{
    public ServiceFactory<EvidenceGrpcService> App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await ServiceFactory<EvidenceGrpcService>.StartOnPostgresAsync("evidence",
        services: s => s.ConfigureDbContext<EvidenceDbContext>(o => o.AddInterceptors(new QueryRecorder())));

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>
/// The region analyst's appraisals (issue 19, ADR 0046): per technology, matched across trusts by name ignoring case
/// and outer spaces, per ward setting type, how many trusts appraised it and how their current appraisals divide by
/// conclusion and ESF tier, over the region's active trusts and per trust; trusts' decisions, not patient data, so not
/// suppressed (ADR 0046 after ADR 0039; ADR 0019 protects patients); never the reviewer or the reasoning; a region
/// token only; two queries per trust.
/// </summary>
public class RegionalAppraisalsGrpcTests(RegionalAppraisalsFixture fixture) : IClassFixture<RegionalAppraisalsFixture>
{
    private const string Reasoning = "The ward team's own pilot on Ward 7 carried the decision";
    private const string StandardNote = "Checked with the ward sister on nights";

    private EvidenceService.EvidenceServiceClient Reviewer(string trust) => fixture.App.GrpcClient<EvidenceService.EvidenceServiceClient>(trust, "evidence-reviewer");

    private EvidenceService.EvidenceServiceClient Region(params string[] roles) =>
        fixture.App.GrpcClientWithToken<EvidenceService.EvidenceServiceClient>(TestTokens.Shared.MintForTrusts([], roles.Length == 0 ? ["region-analyst"] : roles));

    /// <summary>An appraisal of <paramref name="technology"/> for <paramref name="setting"/>; sufficient and minimal rest on a strong trial.</summary>
    private async Task<Appraisal> AppraiseAsync(string trust, Guid technology, string setting, EsfTier tier, AppraisalConclusion conclusion)
    {
        var request = new CompleteAppraisalRequest
        {
            TechnologyId = technology.ToString(), SettingCode = setting, Tier = tier, Conclusion = conclusion, HowEvidenceInformedDecision = Reasoning,
        };
        request.Standards.Add(new EsfStandardJudgement { Standard = $"{tier}-5", Met = conclusion == AppraisalConclusion.Sufficient, Note = StandardNote });
        if (conclusion != AppraisalConclusion.Insufficient)
            request.EvidenceItemIds.Add((await Reviewer(trust).RecordEvidenceItemAsync(AppraisalGrpcTests.StrongTrial(technology.ToString()))).EvidenceItemId);
        return await Reviewer(trust).CompleteAppraisalAsync(request);
    }

    private static (string, int, (AppraisalConclusion, int)[], (EsfTier, int)[])[] Settings(RegionalTechnologyAppraisals t) =>
        [.. t.Settings.Select(s => (s.SettingCode, s.Trusts, s.Conclusions.Select(c => (c.Conclusion, c.Appraisals)).ToArray(), s.Tiers.Select(x => (x.Tier, x.Appraisals)).ToArray()))];

    private static (string, EsfTier, AppraisalConclusion)[] Current(RegionalTrustAppraisals t) =>
        [.. t.Appraisals.Select(a => (a.SettingCode, a.Tier, a.Conclusion))];

    [Fact]
    public async Task Counts_trusts_conclusions_and_tiers_by_setting_from_each_trusts_current_appraisal_over_the_active_trusts_and_per_trust()
    {
        var name = $"Night sensor {Guid.NewGuid():N}";
        // RAP1: acute wards appraised insufficient at tier B, then again sufficient at tier C (the later supersedes);
        // the PICU minimal at tier C. RAP2 registered the name in other letters and outer spaces (the same technology to
        // the region): acute insufficient at tier B. RAP3 registered it and has not appraised it. RAP4 appraised another
        // product whose name only starts the same. RAP5 appraised it and was then suspended by the directory.
        var (t1, t2, t3) = (await ProcurementRegister.RegisterAsync(fixture.App, "RAP1", name),
            await ProcurementRegister.RegisterAsync(fixture.App, "RAP2", "  " + name.ToUpperInvariant() + " "),
            await ProcurementRegister.RegisterAsync(fixture.App, "RAP3", name));
        var appraisals = new List<Appraisal>
        {
            await AppraiseAsync("RAP1", t1, "acute-adult", EsfTier.B, AppraisalConclusion.Insufficient),
            await AppraiseAsync("RAP1", t1, "acute-adult", EsfTier.C, AppraisalConclusion.Sufficient),
            await AppraiseAsync("RAP1", t1, "picu", EsfTier.C, AppraisalConclusion.Minimal),
            await AppraiseAsync("RAP2", t2, "acute-adult", EsfTier.B, AppraisalConclusion.Insufficient),
        };
        Reviewer("RAP3"); // known to the service as the directory would make it, without appraising
        await AppraiseAsync("RAP4", await ProcurementRegister.RegisterAsync(fixture.App, "RAP4", name + " Pro"), "acute-adult", EsfTier.A, AppraisalConclusion.Insufficient);
        await AppraiseAsync("RAP5", await ProcurementRegister.RegisterAsync(fixture.App, "RAP5", name), "acute-adult", EsfTier.A, AppraisalConclusion.Insufficient);
        await using (var scope = fixture.App.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<KnownTrustRecorder>().RecordAsync(new KnownTrustChange("RAP5", "Suspended trust", Active: false), default);

        var reply = await Region().GetRegionalAppraisalsAsync(new GetRegionalAppraisalsRequest { TechnologyName = " " + name.ToLowerInvariant() });

        Assert.Contains("RAP4", reply.Trusts);
        Assert.DoesNotContain("RAP5", reply.Trusts);
        Assert.False(reply.More);
        var technology = Assert.Single(reply.Technologies);
        // Two trusts spelled it as given, one otherwise: the name most trusts registered.
        Assert.Equal(name, technology.TechnologyName);
        Assert.Equal(2, technology.TrustsAppraised);
        Assert.Equal(
            [
                ("acute-adult", 2, [(AppraisalConclusion.Sufficient, 1), (AppraisalConclusion.Insufficient, 1)], [(EsfTier.B, 1), (EsfTier.C, 1)]),
                ("picu", 1, [(AppraisalConclusion.Minimal, 1)], [(EsfTier.C, 1)]),
            ],
            Settings(technology));
        Assert.Equal(["RAP1", "RAP2", "RAP3"], technology.Trusts.Select(t => t.OdsCode));
        Assert.Equal([("acute-adult", EsfTier.C, AppraisalConclusion.Sufficient), ("picu", EsfTier.C, AppraisalConclusion.Minimal)], Current(technology.Trusts[0]));
        Assert.Equal([("acute-adult", EsfTier.B, AppraisalConclusion.Insufficient)], Current(technology.Trusts[1]));
        Assert.Empty(technology.Trusts[2].Appraisals);
        // The day it was completed, not the time.
        var completed = technology.Trusts[0].Appraisals[0].CompletedOn.ToDateTime();
        Assert.Equal((appraisals[1].CompletedAt.ToDateTime().Date, TimeSpan.Zero), (completed, completed.TimeOfDay));

        // Counts and codes only: no appraisal, technology or evidence id, no reviewer, no reasoning, no standard or note.
        var json = JsonFormatter.Default.Format(reply);
        Assert.All(appraisals, a => Assert.DoesNotContain(a.AppraisalId, json));
        Assert.All(new[] { t1, t2, t3 }, t => Assert.DoesNotContain(t.ToString(), json));
        Assert.DoesNotContain(appraisals[1].Evidence[0].EvidenceItemId, json);
        Assert.DoesNotContain("test-user", json);
        Assert.DoesNotContain("Ward 7", json);
        Assert.DoesNotContain("ward sister", json);
        Assert.DoesNotContain("C-5", json);
    }

    [Fact]
    public async Task Every_technology_of_the_region_comes_in_name_order_page_by_page_with_one_never_appraised_listed_empty()
    {
        var prefix = $"Paged {Guid.NewGuid():N}";
        await AppraiseAsync("RAP6", await ProcurementRegister.RegisterAsync(fixture.App, "RAP6", $"{prefix} c"), "acute-adult", EsfTier.B, AppraisalConclusion.Insufficient);
        await AppraiseAsync("RAP7", await ProcurementRegister.RegisterAsync(fixture.App, "RAP7", $"{prefix} A"), "picu", EsfTier.A, AppraisalConclusion.Insufficient);
        await ProcurementRegister.RegisterAsync(fixture.App, "RAP7", $"{prefix} b");

        var seen = new List<RegionalTechnologyAppraisals>();
        var request = new GetRegionalAppraisalsRequest { PageSize = 2 };
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 100, "the pages never ended");
            var page = await Region().GetRegionalAppraisalsAsync(request);
            Assert.True(page.Technologies.Count <= 2);
            seen.AddRange(page.Technologies);
            if (!page.More) break;
            request.AfterTechnologyName = page.Technologies[^1].TechnologyName;
        }

        var keys = seen.Select(t => t.TechnologyName.ToLowerInvariant()).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal).Distinct(), keys);
        var mine = seen.Where(t => t.TechnologyName.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal([$"{prefix} A", $"{prefix} b", $"{prefix} c"], mine.Select(t => t.TechnologyName));
        Assert.Equal((0, "RAP7"), (mine[1].TrustsAppraised, Assert.Single(mine[1].Trusts).OdsCode));
        Assert.Empty(mine[1].Settings);
        Assert.Empty(mine[1].Trusts[0].Appraisals);

        // The name after which a page starts is compared ignoring case and outer spaces, as the names are.
        var after = await Region().GetRegionalAppraisalsAsync(new GetRegionalAppraisalsRequest { AfterTechnologyName = $" {prefix} A ".ToUpperInvariant(), PageSize = 1 });
        Assert.Equal($"{prefix} b", Assert.Single(after.Technologies).TechnologyName);
    }

    [Fact]
    public async Task Each_trust_costs_two_queries_however_many_technologies_and_appraisals_it_has()
    {
        var name = $"Counted {Guid.NewGuid():N}";
        foreach (var trust in new[] { "RAP8", "RAP9" })
            for (var i = 0; i < 3; i++)
            {
                var technology = await ProcurementRegister.RegisterAsync(fixture.App, trust, i == 0 ? name : $"{name} {i}");
                await AppraiseAsync(trust, technology, "acute-adult", EsfTier.B, AppraisalConclusion.Insufficient);
                await AppraiseAsync(trust, technology, "picu", EsfTier.C, AppraisalConclusion.Insufficient);
            }

        await using var scope = fixture.App.Services.CreateAsyncScope();
        var queries = new List<string>();
        QueryRecorder.Record(queries);
        var page = (await scope.ServiceProvider.GetRequiredService<RegionalAppraisals>().ListAsync("", Platform.Domain.RegionalNamePage.MaxPageSize, null)).Value;
        QueryRecorder.Record(null!);

        var mine = page.Technologies.Where(t => t.Name.StartsWith(name, StringComparison.Ordinal)).ToList();
        Assert.Equal(3, mine.Count);
        Assert.All(mine, t => Assert.Equal(2, t.TrustsAppraised));
        // Every active trust is read with one query of its register, and each trust with any technology with one
        // more, of its current appraisals: the same two whatever the number of technologies and appraisals; and one of
        // the trusts.
        Assert.False(page.More);
        var trusts = page.Trusts.Count;
        var withTechnologies = page.Technologies.SelectMany(t => t.Trusts).Select(t => t.OdsCode).Distinct().Count();
        var registers = queries.Count(q => q.Contains("technologies", StringComparison.Ordinal) && !q.Contains("appraisals", StringComparison.Ordinal));
        var current = queries.Count(q => q.Contains("appraisals", StringComparison.Ordinal));
        Assert.Equal((trusts, withTechnologies, 1 + trusts + withTechnologies), (registers, current, queries.Count));
    }

    [Fact]
    public async Task Only_a_region_token_as_region_analyst_reads_them_and_the_application_refuses_a_trusts_scope()
    {
        var request = new GetRegionalAppraisalsRequest { TechnologyName = "Anything" };
        // A trust's token, even one carrying region-analyst, does not read across the region.
        var trust = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.App.GrpcClient<EvidenceService.EvidenceServiceClient>("RAP1", "region-analyst").GetRegionalAppraisalsAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, trust.StatusCode);
        Assert.Contains("names no trust", trust.Status.Detail);
        // The trust's own evidence reviewer neither.
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => Reviewer("RAP1").GetRegionalAppraisalsAsync(request).ResponseAsync)).StatusCode);
        // A region token in another region role.
        var operatorCall = await Assert.ThrowsAsync<RpcException>(() => Region("region-operator").GetRegionalAppraisalsAsync(request).ResponseAsync);
        Assert.Equal((StatusCode.PermissionDenied, CallPolicyInterceptor.RoleRequiredRule), (operatorCall.StatusCode, operatorCall.Trailers.GetValue(CallPolicyInterceptor.RuleTrailer)));
        // The region analyst's token reads no trust's own appraisals.
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() =>
            Region().ListAppraisalsAsync(new ListAppraisalsRequest { TechnologyId = Guid.NewGuid().ToString() }).ResponseAsync)).StatusCode);

        // Were the method ever reached in a trust's scope, the application refuses again.
        var inTrust = await fixture.App.InTenantAsync("RAP1", sp => sp.GetRequiredService<RegionalAppraisals>().ListAsync("Anything", 0, null));
        Assert.Equal((RefusalKind.PermissionDenied, "region.token-required"), (inTrust.Refusal?.Kind, inTrust.Refusal?.Rule));
    }

    [Theory]
    [InlineData(201, 0, 0, "(technology_name)")]
    [InlineData(0, 201, 0, "after_technology_name")]
    [InlineData(0, 0, 101, "page_size")]
    [InlineData(0, 0, -1, "page_size")]
    public async Task Bad_input_is_refused_naming_the_field(int nameLength, int afterLength, int pageSize, string field)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => Region().GetRegionalAppraisalsAsync(new GetRegionalAppraisalsRequest
        {
            TechnologyName = new string('x', nameLength), AfterTechnologyName = new string('y', afterLength), PageSize = pageSize,
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains(field, refused.Status.Detail);
    }
}
