using System.Collections.ObjectModel;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Platform.Contracts.Consent.V1;
using Platform.Testing;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// What an operator's trace view shows for a call to the consent service: the gRPC request and the database work it
/// caused, as one trace that continues the caller's. Spans are taken with OpenTelemetry's in-memory exporter, in place
/// of the OTLP exporter a deployment turns on with OTEL_EXPORTER_OTLP_ENDPOINT.
/// </summary>
public sealed class ConsentTracingTests
{
    private const string EfCoreSource = "OpenTelemetry.Instrumentation.EntityFrameworkCore";
    private const string NpgsqlSource = "Npgsql";

    [Fact]
    public async Task A_grpc_call_is_one_trace_with_the_server_span_and_the_ef_and_npgsql_spans_beneath_it_and_no_nhs_number()
    {
        var spans = new ExportedSpans();
        await using var app = await ServiceFactory<Program>.StartOnPostgresAsync("consent",
            new Dictionary<string, string?> { ["Consent:Schedules:Enabled"] = "false" },
            services => services.AddOpenTelemetry().WithTracing(tracing => tracing.AddInMemoryExporter(spans)));
        var client = new ConsentClient(app, "TRC1");

        // The caller's own span, sampled: the call carries its context (W3C traceparent), and the service continues
        // that trace (its sampler follows the caller's decision).
        using var caller = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C).Start();
        caller.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        var registered = spans.WaitForAsync(s => s.TraceId == caller.TraceId && s.Kind == ActivityKind.Server && Path(s).EndsWith("/RegisterPatient", StringComparison.Ordinal));
        var nhsNumber = NhsNumbers.Next();
        await client.Call(c => c.RegisterPatientAsync(new RegisterPatientRequest { NhsNumber = nhsNumber, WardCode = "OAK", AgeBand = AgeBand._26To64 }));
        caller.Stop();
        Activity server;
        try
        {
            server = await registered.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"No server span for RegisterPatient in the caller's trace {caller.TraceId}; spans exported:\n" +
                string.Join("\n", spans.Snapshot().Select(s => $"{s.TraceId} {s.Source.Name} {s.Kind} {s.DisplayName} {Path(s)}")));
            throw;
        }

        var trace = spans.Snapshot().Where(s => s.TraceId == caller.TraceId).ToList();
        var all = string.Join("\n", trace.Select(s => $"{s.Source.Name} {s.Kind} {s.DisplayName} {s.SpanId} <- {s.ParentSpanId}"));
        // The server span continues the caller's trace: its parent is the caller's span or the client's own span under it.
        Assert.True(IsUnder(server, caller.SpanId, trace), $"The server span is not under the caller's span:\n{all}");

        var database = trace.Where(s => s.Source.Name is EfCoreSource or NpgsqlSource).ToList();
        Assert.Contains(database, s => s.Source.Name == EfCoreSource);
        Assert.Contains(database, s => s.Source.Name == NpgsqlSource);
        Assert.All(database, s => Assert.True(IsUnder(s, server.SpanId, trace), $"{s.Source.Name} span '{s.DisplayName}' is not under the server span:\n{all}"));
        // The statements are there, parameterised: the NHS number is in no span of the trace, under no tag.
        Assert.Contains(database, s => s.TagObjects.Any(t => t.Key is "db.query.text" or "db.statement" && t.Value is string sql && sql.Contains("INSERT", StringComparison.OrdinalIgnoreCase)));
        var digits = nhsNumber.Replace(" ", "", StringComparison.Ordinal);
        Assert.DoesNotContain(trace.SelectMany(s => s.TagObjects.Select(t => t.Value?.ToString() ?? "").Append(s.DisplayName)),
            value => value.Replace(" ", "", StringComparison.Ordinal).Contains(digits, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_an_exporter_no_tracer_provider_is_built_so_requests_pay_for_no_spans_and_with_an_otlp_endpoint_one_is()
    {
        await using (var quiet = await ServiceFactory<Program>.StartOnPostgresAsync("consent", new Dictionary<string, string?> { ["Consent:Schedules:Enabled"] = "false" }))
        {
            Assert.Null(quiet.Services.GetService<TracerProvider>());
        }
        // Nothing listens on this port: the exporter only needs an address to be configured; it sends in the background.
        await using var exporting = await ServiceFactory<Program>.StartOnPostgresAsync("consent", new Dictionary<string, string?>
        {
            ["Consent:Schedules:Enabled"] = "false",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{FreePort.Next()}",
        });
        Assert.NotNull(exporting.Services.GetService<TracerProvider>());
    }

    private static string Path(Activity span) => span.GetTagItem("url.path") as string ?? "";

    // Follows the parent links within the trace; a span is under its own ancestors only.
    private static bool IsUnder(Activity span, ActivitySpanId ancestor, IReadOnlyList<Activity> trace)
    {
        var bySpan = trace.ToDictionary(s => s.SpanId);
        for (var parent = span.ParentSpanId; parent != default; parent = bySpan.TryGetValue(parent, out var p) ? p.ParentSpanId : default)
        {
            if (parent == ancestor) return true;
        }
        return false;
    }

    /// <summary>
    /// The spans the in-memory exporter hands over, safe to read while other hosts in this test process end spans
    /// (an ActivityListener hears the whole process), and waitable: no test sleeps for a span to arrive.
    /// </summary>
    private sealed class ExportedSpans : Collection<Activity>
    {
        private readonly Lock _gate = new();
        private readonly List<(Func<Activity, bool> Match, TaskCompletionSource<Activity> Found)> _waiting = [];

        public Task<Activity> WaitForAsync(Func<Activity, bool> match)
        {
            var found = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                if (Items.FirstOrDefault(match) is { } already) found.SetResult(already);
                else _waiting.Add((match, found));
            }
            return found.Task;
        }

        public List<Activity> Snapshot()
        {
            lock (_gate) return [.. Items];
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (_gate)
            {
                base.InsertItem(index, item);
                for (var i = _waiting.Count - 1; i >= 0; i--)
                {
                    if (!_waiting[i].Match(item)) continue;
                    _waiting[i].Found.TrySetResult(item);
                    _waiting.RemoveAt(i);
                }
            }
        }
    }
}
