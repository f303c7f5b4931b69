using Platform.Testing;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Procurement.V1;
using Platform.Grpc;
using Platform.Procurement.Api.Application;
using Xunit;
using Evidence = Platform.Contracts.Evidence.V1;
using ProcurementDbContext = Platform.Procurement.Api.Data.ProcurementDbContext;
using static Platform.Procurement.Api.Tests.ProcurementCaseClient;

namespace Platform.Procurement.Api.Tests;

/// <summary>
/// ListOpenGatesForCases (ADR 0043), the dashboards' batch form of ListOpenGates: for each case and kind the same
/// answer as ListOpenGates, in the order asked, in three statements however many cases; another trust's case is
/// found = false with no gate; a malformed query refuses the whole call naming queries[i].
/// </summary>
public class OpenGatesForCasesTests(ProcurementClockFixture fixture) : IClassFixture<ProcurementClockFixture>
{
    private ProcurementCaseClient Trust(string ods) => new(fixture, ods);

    private static ListOpenGatesForCasesRequest Ask(params (string CaseId, ApprovalKind Kind)[] queries)
    {
        var request = new ListOpenGatesForCasesRequest();
        request.Queries.AddRange(queries.Select(q => new ListOpenGatesRequest { CaseId = q.CaseId, Kind = q.Kind }));
        return request;
    }

    [Fact]
    public async Task Each_case_and_kind_gets_the_answer_ListOpenGates_gives_in_the_order_asked_by_every_role_that_may_read_gates()
    {
        var a = Trust("OGB1");
        // Three cases in different states: nothing recorded (every gate open); every gate but the appraisal; and every
        // gate with a minimal appraisal and co-production at procurement only, which a trial accepts and a full
        // approval does not (P4: a full approval also needs co-production at the testing stage), so the full and
        // trial answers differ.
        var fresh = await a.CaseAsync("Batch gates fresh");
        var oneLeft = await a.CaseAsync("Batch gates one left");
        await a.RecordEveryGateButTheAppraisalAsync(oneLeft.CaseId);
        var trialOnly = await a.CaseAsync("Batch gates trial only");
        await a.RecordEveryGateButTheAppraisalAsync(trialOnly.CaseId);
        var coProduction = ProcurementGateEvidence.EveryGateButTheAppraisal(trialOnly.CaseId, fixture.Clock.GetUtcNow().UtcDateTime, fixture.Clock.GetUtcNow().UtcDateTime.AddDays(365))
            .Single(g => g.Request.CoProduction is not null).Request;
        coProduction.CoProduction.Activities.Remove(coProduction.CoProduction.Activities.Single(x => x.Stage == CoProductionStage.Testing));
        coProduction.EvidenceReference = "COP-procurement-only";
        await a.As(Lead).RecordGateAsync(coProduction);
        await a.DeliverAppraisalAsync(trialOnly.TechnologyId, trialOnly.SettingCode, Evidence.AppraisalConclusion.Minimal);

        (string, ApprovalKind)[] queries =
        [
            (fresh.CaseId, ApprovalKind.Full), (oneLeft.CaseId, ApprovalKind.Trial), (trialOnly.CaseId, ApprovalKind.Full),
            (trialOnly.CaseId, ApprovalKind.Trial), (fresh.CaseId, ApprovalKind.Unspecified), (oneLeft.CaseId, ApprovalKind.Full),
            (fresh.CaseId, ApprovalKind.Full),
        ];
        foreach (var role in new[] { Lead, Ig, Safety, Reviewer })
        {
            var batch = await a.As(role).ListOpenGatesForCasesAsync(Ask(queries));

            Assert.Equal(queries.Length, batch.Results.Count);
            for (var i = 0; i < queries.Length; i++)
            {
                var (caseId, kind) = queries[i];
                var single = await a.As(role).ListOpenGatesAsync(new ListOpenGatesRequest { CaseId = caseId, Kind = kind });
                var result = batch.Results[i];
                Assert.True(result.Found);
                Assert.Equal(single.OpenGates, result.OpenGates);
            }
        }

        var answers = (await a.As(Lead).ListOpenGatesForCasesAsync(Ask(queries))).Results;
        Assert.Equal(16, answers[0].OpenGates.Count);
        Assert.Equal(["evidence-appraisal"], answers[1].OpenGates.Select(g => g.Code));
        // The full approval still wants co-production at testing; the trial wants nothing more.
        Assert.Equal((GateState.Failed, "co-production"), (answers[2].OpenGates.Single().State, answers[2].OpenGates.Single().Code));
        Assert.Empty(answers[3].OpenGates);
    }

    [Fact]
    public async Task Another_trusts_case_ids_are_answered_not_found_with_no_gate_and_its_own_cases_as_usual()
    {
        var a = Trust("OGB2");
        var b = Trust("OGB3");
        var ofA = await a.CaseAsync("Batch isolation A");
        await a.RecordEveryGateButTheAppraisalAsync(ofA.CaseId);
        var ofB = await b.CaseAsync("Batch isolation B");
        var unknown = Guid.NewGuid().ToString();

        var asB = (await b.As(Lead).ListOpenGatesForCasesAsync(Ask((ofA.CaseId, ApprovalKind.Full), (ofB.CaseId, ApprovalKind.Full), (unknown, ApprovalKind.Trial), (ofA.CaseId, ApprovalKind.Trial)))).Results;

        Assert.Equal([(false, 0), (true, 16), (false, 0), (false, 0)], asB.Select(r => (r.Found, r.OpenGates.Count)));
        Assert.DoesNotContain(ofA.CaseId, asB.ToString()); // the answer echoes no id back
        // The single form says the same thing as a refusal; A still sees its own case.
        await RefusedAsync(() => b.As(Lead).ListOpenGatesAsync(new ListOpenGatesRequest { CaseId = ofA.CaseId }).ResponseAsync, StatusCode.NotFound);
        var asA = Assert.Single((await a.As(Lead).ListOpenGatesForCasesAsync(Ask((ofA.CaseId, ApprovalKind.Full)))).Results);
        Assert.Equal((true, "evidence-appraisal"), (asA.Found, asA.OpenGates.Single().Code));
    }

    public static TheoryData<string, int, string, string> BadBatches => new()
    {
        // what is wrong, how many queries, the field named, the rule
        { "none", 0, "queries", "queries.required" },
        { "too many", OpenGatesForCases.MaxQueries + 1, "queries", "queries.too-many" },
        { "a case id not a UUID", 3, "queries[2].case_id", "case-id.format" },
        { "an empty case id", 2, "queries[1].case_id", "case-id.format" },
        { "a kind not defined", 3, "queries[1].kind", "kind.required" },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task A_malformed_batch_is_refused_naming_the_field_and_changes_nothing(string wrong, int count, string field, string rule)
    {
        var a = Trust("OGB4");
        var opened = await a.CaseAsync($"Batch bad input {wrong}");
        var before = await a.As(Lead).GetCaseAsync(new GetCaseRequest { CaseId = opened.CaseId });
        var request = Ask(Enumerable.Repeat((opened.CaseId, ApprovalKind.Full), count).ToArray());
        switch (wrong)
        {
            case "a case id not a UUID": request.Queries[2].CaseId = "not-a-case"; break;
            case "an empty case id": request.Queries[1].CaseId = ""; break;
            case "a kind not defined": request.Queries[1].Kind = (ApprovalKind)99; break;
        }

        var refused = await RefusedAsync(() => a.As(Lead).ListOpenGatesForCasesAsync(request).ResponseAsync, StatusCode.InvalidArgument);

        var info = refused.GetRpcStatus()!.GetDetail<ErrorInfo>();
        Assert.Equal((rule, field), (info.Reason, info.Metadata["field"]));
        Assert.Equal(before, await a.As(Lead).GetCaseAsync(new GetCaseRequest { CaseId = opened.CaseId }));
        // The full allowance is taken.
        var most = await a.As(Lead).ListOpenGatesForCasesAsync(Ask(Enumerable.Repeat((opened.CaseId, ApprovalKind.Full), OpenGatesForCases.MaxQueries).ToArray()));
        Assert.Equal(OpenGatesForCases.MaxQueries, most.Results.Count(r => r.Found));
    }

    [Theory]
    [InlineData("clinician")]
    [InlineData("ward-manager")]
    [InlineData("trust-admin")]
    public async Task A_role_that_may_not_read_gates_is_refused(string role)
    {
        var a = Trust("OGB5");
        var opened = await a.CaseAsync($"Batch role {role}");

        var refused = await RefusedAsync(() => fixture.App.GrpcClient<ProcurementService.ProcurementServiceClient>("OGB5", role)
            .ListOpenGatesForCasesAsync(Ask((opened.CaseId, ApprovalKind.Full))).ResponseAsync, StatusCode.PermissionDenied);
        Assert.Equal("role.required", refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
    }

    [Fact]
    public async Task Twelve_cases_cost_the_same_statements_as_two()
    {
        // Not a load per case (ListOpenGates' three statements each): the headers, their gate records and their approvals.
        async Task<List<string>> CasesAsync(string trust, int count)
        {
            var client = Trust(trust);
            var ids = new List<string>();
            for (var i = 0; i < count; i++)
            {
                var opened = await client.CaseAsync($"Batch statements {trust} {i}");
                if (i % 3 == 0) await client.RecordEveryGateButTheAppraisalAsync(opened.CaseId);
                ids.Add(opened.CaseId);
            }
            return ids;
        }

        async Task<(int Statements, int Found)> ListAsync(string trust, IReadOnlyList<string> ids) =>
            await fixture.App.InTenantAsync(trust, async sp =>
            {
                var db = sp.GetRequiredService<ProcurementDbContext>();
                using var statements = new StatementLog(db);
                var answers = (await sp.GetRequiredService<OpenGatesForCases>().ListAsync(
                    ids.SelectMany(id => new[] { new OpenGatesQuery(id, Domain.ApprovalKind.Full), new OpenGatesQuery(id, Domain.ApprovalKind.Trial) }).ToList())).Value;
                return (statements.Count, answers.Count(x => x.OpenGates is not null));
            });

        var few = await ListAsync("OGB6", await CasesAsync("OGB6", 2));
        var many = await ListAsync("OGB7", await CasesAsync("OGB7", 12));

        Assert.Equal((4, 24), (few.Found, many.Found));
        Assert.Equal(3, few.Statements);
        Assert.Equal(few.Statements, many.Statements);
    }
}
