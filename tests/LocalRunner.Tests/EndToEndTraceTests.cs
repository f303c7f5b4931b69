using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Platform.Contracts.Audit.V1;
using Platform.Contracts.Procurement.V1;
using Platform.Grpc;
using Platform.Testing;
using Xunit;

namespace Platform.Tools.LocalRunner.Tests;

/// <summary>
/// What an operator's trace view shows for one change that crosses services: the gRPC call to procurement, the event it
/// wrote to the outbox (its CloudEvent carries the call's traceparent), the relay's delivery to audit, and audit's
/// handling of it, as one trace. The procurement and audit hosts run in this process (the local runner), and a tracer
/// provider with OpenTelemetry's in-memory exporter hears both, as an OTLP collector would.
/// </summary>
[Collection(LocalPlatformCollection.Name)]
public sealed class EndToEndTraceTests : IAsyncLifetime
{
    private const string AspNetCoreSource = "Microsoft.AspNetCore";
    private const string MessagingSource = "Platform.Messaging";
    private const string TechnologyRegistered = "platform.procurement.technology_registered.v1";

    private readonly string _data = Directory.CreateTempSubdirectory("platform-trace-").FullName;
    private readonly int _offset = LocalPlatformTests.FindFreeOffset();
    private readonly DemoClientFactory _clients;

    public EndToEndTraceTests() => _clients = new DemoClientFactory(_offset);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _clients.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task A_technology_registered_over_grpc_is_one_trace_through_the_outbox_and_the_event_to_audits_handling_of_it()
    {
        var spans = new ExportedSpans();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(MessagingSource)
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddGrpcClientInstrumentation()
            .AddInMemoryExporter(spans)
            .Build();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var platform = await LocalPlatform.StartAsync(new LocalPlatformOptions(_data, _offset), cts.Token);
        await platform.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), cts.Token);

        // The caller's own span, sampled; the call carries its context (W3C traceparent) and procurement continues it.
        using var caller = new Activity("integrator").SetIdFormat(ActivityIdFormat.W3C).Start();
        caller.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        var handled = spans.WaitForAsync(s => s.TraceId == caller.TraceId && s.Source.Name == MessagingSource
            && (string?)s.GetTagItem("cloudevents.event_type") == TechnologyRegistered);
        var created = await (await _clients.ClientAsync<ProcurementService.ProcurementServiceClient>(platform, 5012, "rx3-demo-lead")).RegisterTechnologyAsync(new RegisterTechnologyRequest
        {
            Name = "Traced tracker", Supplier = "Test", IntendedUse = "Proving one trace across services", Category = TechnologyCategory.Monitoring,
        });
        caller.Stop();

        Activity consumer;
        try
        {
            consumer = await handled.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"No Platform.Messaging span for {TechnologyRegistered} in the caller's trace {caller.TraceId}; spans exported:\n" +
                string.Join("\n", spans.Snapshot().Select(s => $"{s.TraceId} {s.Source.Name} {s.Kind} {s.DisplayName}")));
            throw;
        }

        var trace = spans.Snapshot().Where(s => s.TraceId == caller.TraceId).ToList();
        var all = string.Join("\n", trace.Select(s => $"{s.Source.Name} {s.Kind} {s.DisplayName} {s.SpanId} <- {s.ParentSpanId}"));
        var registered = trace.Single(s => s.Source.Name == AspNetCoreSource && s.Kind == ActivityKind.Server
            && ((string?)s.GetTagItem("url.path"))?.EndsWith("/RegisterTechnology", StringComparison.Ordinal) == true);
        Assert.True(ExportedSpans.IsUnder(registered, caller.SpanId, trace), $"procurement's server span is not under the caller's:\n{all}");
        Assert.Equal(ActivityKind.Consumer, consumer.Kind);
        Assert.True(ExportedSpans.IsUnder(consumer, registered.SpanId, trace), $"audit's handling is not under procurement's call:\n{all}");
        // Parented by the event's traceparent, not by the delivery request: a bulk delivery carries events of many traces.
        Assert.Equal(registered.SpanId, consumer.ParentSpanId);

        // And the event that span describes is the one whose audit entry the auditor reads. Audit, consent and evidence
        // all subscribe to technology_registered, so the first span seen may be another subscriber's: wait for audit's entry.
        var auditor = await _clients.ClientAsync<AuditService.AuditServiceClient>(platform, 5032, "rx3-demo-auditor");
        var until = DateTime.UtcNow.AddSeconds(60);
        AuditEntry? entry;
        while ((entry = (await auditor.ListEntriesAsync(new ListEntriesRequest { PageSize = 500 })).Entries.SingleOrDefault(e => e.Entity.What == $"Technology/{created.TechnologyId}")) is null)
        {
            Assert.True(DateTime.UtcNow < until, "The technology_registered event did not reach the audit log within 60 s.");
            await Task.Delay(100, cts.Token);
        }
        Assert.Equal((string?)consumer.GetTagItem("messaging.message.id"), entry.SourceEventId);
        // Every subscriber's handling of it is parented by procurement's call.
        Assert.All(spans.Snapshot().Where(s => s.Source.Name == MessagingSource && (string?)s.GetTagItem("messaging.message.id") == entry.SourceEventId),
            s => Assert.Equal(registered.SpanId, s.ParentSpanId));
    }
}
