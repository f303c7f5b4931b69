using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Platform.Tools.ConsentBench;

/// <summary>
/// Exploration aid for --hold: the runtime's own allocation sampling (GCAllocationTick, one event per ~100 KB
/// allocated) counted by type, so the biggest sources of per-check garbage show without an external profiler.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytes = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null) return;
        var type = e.PayloadNames!.IndexOf("TypeName") is var t and >= 0 ? e.Payload[t] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload[a]) : 100_000;
        _bytes.AddOrUpdate(type, amount, (_, v) => v + amount);
    }

    public string TakeReport(int top = 25)
    {
        var snapshot = _bytes.ToArray();
        _bytes.Clear();
        var total = snapshot.Sum(x => x.Value);
        return string.Join("\n", snapshot.OrderByDescending(x => x.Value).Take(top)
            .Select(x => $"  {x.Value / 1048576.0,8:0.0} MiB {100.0 * x.Value / Math.Max(1, total),5:0.0}%  {x.Key}"));
    }
}
