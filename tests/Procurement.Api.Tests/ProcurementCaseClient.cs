using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Platform.Contracts.Procurement.V1;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Outbox;
using ProcurementDbContext = Platform.Procurement.Api.Data.ProcurementDbContext;
using Platform.Testing;
using Xunit;
using EvidenceEvents = Platform.Contracts.Evidence.V1;
using Identity = Platform.Contracts.Identity.V1;

namespace Platform.Procurement.Api.Tests;

/// <summary>
/// Procurement hosted on a fake clock that the test moves; the expiry sweep runs on it every hour. Named by its gRPC
/// service, not Program: tests/Evidence.Api.Tests compiles this file too, beside evidence's own Program.
/// </summary>
public class ProcurementClockFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Clock { get; } = new(Start);

    public ServiceFactory<Grpc.ProcurementGrpcService> App { get; private set; } = null!;

    /// <summary>The app's log entries, for tests of what an operator is told.</summary>
    public RecordedLogs Logs { get; } = new();

    /// <summary>The expiry sweep hosted every hour of the fake clock; a derived fixture may turn it off.</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Procurement:ExpirySweep:Interval"] = "01:00:00" };

    public async Task InitializeAsync() => App = await ServiceFactory<Grpc.ProcurementGrpcService>.StartOnPostgresAsync("procurement",
        Settings, services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<ILoggerProvider>(Logs);
        });

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>One trust's procurement, called as the role each step needs, with valid evidence for every gate.</summary>
public sealed class ProcurementCaseClient(ProcurementClockFixture fixture, string tenant)
{
    public const string Lead = ProcurementGateEvidence.Lead;
    public const string Ig = ProcurementGateEvidence.Ig;
    public const string Safety = ProcurementGateEvidence.Safety;
    public const string Reviewer = "evidence-reviewer";

    private DateTime Now => fixture.Clock.GetUtcNow().UtcDateTime;

    public ProcurementService.ProcurementServiceClient As(string role) => fixture.App.GrpcClient<ProcurementService.ProcurementServiceClient>(tenant, role);

    public async Task<Technology> TechnologyAsync(string name, bool surveillance = false) =>
        await As(Lead).RegisterTechnologyAsync(new RegisterTechnologyRequest
        {
            Name = name, Supplier = "Calder Digital", IntendedUse = "Self-reported mood and sleep, shared with the care team with the patient's agreement",
            Category = TechnologyCategory.DirectCare, Surveillance = surveillance,
        });

    /// <summary>A case for a setting type the trust's directory holds: a ward of that setting is published first.</summary>
    public async Task<ProcurementCase> CaseAsync(string technologyName, string setting = "acute-adult")
    {
        await WardAsync($"W-{setting}".ToUpperInvariant(), setting);
        return await As(Lead).OpenCaseAsync(new OpenCaseRequest
        {
            TechnologyId = (await TechnologyAsync(technologyName)).TechnologyId, SettingCode = setting,
            SettingDescription = "Adult acute inpatient wards, 18 beds each", Purpose = StatedPurpose.DirectCareOrTreatment,
        });
    }

    /// <summary>Plays the sidecar delivering the identity directory's ward event (registered, or changed when closed) to procurement.</summary>
    public async Task WardAsync(string wardCode, string setting, bool closed = false)
    {
        var actor = new Contracts.Common.V1.Actor { Subject = "admin-1", Role = "trust-admin" };
        var delivered = closed
            ? await DeliverAsync(new Identity.WardChanged { WardCode = wardCode, Name = wardCode, SettingCode = setting, Beds = 12, Closed = true, Actor = actor }, Guid.NewGuid().ToString())
            : await DeliverAsync(new Identity.WardRegistered { WardCode = wardCode, Name = wardCode, SettingCode = setting, Beds = 12, Actor = actor }, Guid.NewGuid().ToString());
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), delivered);
    }

    /// <summary>Records every gate but the evidence appraisal, each as its responsible role, in an order the rules allow.</summary>
    public async Task RecordEveryGateButTheAppraisalAsync(string caseId, DateTime? penetrationTestValidUntil = null)
    {
        foreach (var (role, request) in EveryGate(caseId, penetrationTestValidUntil ?? Now.AddDays(365)))
        {
            var record = await As(role).RecordGateAsync(request);
            Assert.Equal(GateOutcome.Passed, record.Outcome);
        }
    }

    /// <summary>Plays the sidecar delivering the evidence service's completed appraisal to procurement's inbox.</summary>
    public async Task DeliverAppraisalAsync(string technologyId, string setting, EvidenceEvents.AppraisalConclusion conclusion, string? appraisalId = null)
    {
        var message = new EvidenceEvents.AppraisalCompleted
        {
            AppraisalId = appraisalId ?? Guid.NewGuid().ToString(), TechnologyId = technologyId, SettingCode = setting, Tier = EvidenceEvents.EsfTier.B,
            Conclusion = conclusion, CompletedAt = Timestamp.FromDateTime(Now.AddHours(-1)), ItemsConsidered = 3, ItemsMeetingP7Bar = 1,
            Actor = new Contracts.Common.V1.Actor { Subject = "reviewer-7", Role = Reviewer },
        };
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await DeliverAsync(message, Guid.NewGuid().ToString()));
    }

    public async Task<(HttpStatusCode, string?)> DeliverAsync<T>(T message, string id) where T : IMessage<T>
    {
        using var http = fixture.App.CreateHttpClient();
        var name = EventName.For(message.Descriptor);
        var route = await SidecarDelivery.RouteForAsync(http, name.Topic);
        var cloudEvent = new CloudEvent
        {
            Id = id, Source = "/evidence", Type = name.Type, Subject = "subject", Time = DateTimeOffset.UtcNow, Tenant = tenant,
            DataJson = JsonFormatter.Default.Format(message),
        }.ToJson();
        return await SidecarDelivery.DeliverAsync(http, route, cloudEvent);
    }

    /// <summary>An approved case: every gate, a sufficient appraisal, and the lead's full approval.</summary>
    public async Task<(ProcurementCase Case, Approval Approval)> ApprovedCaseAsync(string technologyName, DateTime? penetrationTestValidUntil = null)
    {
        var opened = await CaseAsync(technologyName);
        await RecordEveryGateButTheAppraisalAsync(opened.CaseId, penetrationTestValidUntil);
        await DeliverAppraisalAsync(opened.TechnologyId, opened.SettingCode, EvidenceEvents.AppraisalConclusion.Sufficient);
        var approval = await As(Lead).ApproveAsync(new ApproveRequest { CaseId = opened.CaseId, Kind = ApprovalKind.Full, Rationale = "Every gate met; evidence sufficient for this ward type." });
        return (opened, approval);
    }

    /// <summary>The events this trust's procurement wrote to its outbox on <paramref name="topic"/> for <paramref name="subject"/>, as JSON.</summary>
    public Task<List<string>> PublishedAsync(string topic, string subject) =>
        fixture.App.InTenantAsync(tenant, sp => sp.GetRequiredService<ProcurementDbContext>().Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.Topic == topic && m.Subject == subject).OrderBy(m => m.Sequence).Select(m => m.Payload).ToListAsync());

    public static async Task<RpcException> RefusedAsync<T>(Func<Task<T>> call, StatusCode code)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, refused.StatusCode);
        return refused;
    }

    private IEnumerable<(string Role, RecordGateRequest Request)> EveryGate(string caseId, DateTime penTestValidUntil) =>
        ProcurementGateEvidence.EveryGateButTheAppraisal(caseId, Now, penTestValidUntil);
}
