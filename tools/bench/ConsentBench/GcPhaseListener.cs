using System.Diagnostics.Tracing;

namespace Platform.Tools.ConsentBench;

/// <summary>
/// Exploration aid for --hold (BENCH_GC_PHASES=1): splits each GC pause, from the runtime's own events, into suspending
/// the threads, the collection itself and resuming them, so a long gen0 pause can be told apart from a slow suspension.
/// </summary>
public sealed class GcPhaseListener : EventListener
{
    private readonly object _gate = new();
    private readonly List<(double Suspend, double Collect, double Total, int Generation, DateTime Begin)> _pauses = [];
    private DateTime _suspendBegin, _suspendEnd, _gcStart, _gcEnd;
    private int _generation;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Informational, (EventKeywords)0x1); // GC keyword
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        lock (_gate)
        {
            switch (e.EventName)
            {
                case "GCSuspendEEBegin_V1": _suspendBegin = e.TimeStamp; break;
                case "GCSuspendEEEnd_V1": _suspendEnd = e.TimeStamp; break;
                case "GCStart_V2": _gcStart = e.TimeStamp; _generation = e.PayloadNames!.IndexOf("Depth") is var d and >= 0 ? Convert.ToInt32(e.Payload![d]) : -1; break;
                case "GCEnd_V1": _gcEnd = e.TimeStamp; break;
                case "GCRestartEEEnd_V1":
                    if (_suspendBegin != default && _gcEnd > _gcStart)
                        _pauses.Add(((_suspendEnd - _suspendBegin).TotalMilliseconds, (_gcEnd - _gcStart).TotalMilliseconds, (e.TimeStamp - _suspendBegin).TotalMilliseconds, _generation, _suspendBegin));
                    _suspendBegin = default;
                    break;
            }
        }
    }

    public string TakeReport()
    {
        List<(double Suspend, double Collect, double Total, int Generation, DateTime Begin)> pauses;
        lock (_gate) { pauses = [.. _pauses]; _pauses.Clear(); }
        if (pauses.Count == 0) return "gc phases: no GC";
        return $"gc phases: {pauses.Count} GCs (gen0 {pauses.Count(p => p.Generation == 0)}); suspend mean {pauses.Average(p => p.Suspend):0.00} max {pauses.Max(p => p.Suspend):0.00} ms; " +
            $"collect mean {pauses.Average(p => p.Collect):0.00} max {pauses.Max(p => p.Collect):0.00} ms; total mean {pauses.Average(p => p.Total):0.00} max {pauses.Max(p => p.Total):0.00} ms; " +
            $"each (UTC start, gen, ms): {string.Join(", ", pauses.Select(p => $"{p.Begin:HH:mm:ss.fff} gen{p.Generation} {p.Total:0.0}"))}";
    }
}
