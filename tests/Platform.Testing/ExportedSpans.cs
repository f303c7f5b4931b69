using System.Collections.ObjectModel;
using System.Diagnostics;

namespace Platform.Testing;

/// <summary>
/// The spans the in-memory exporter hands over, safe to read while other hosts in this test process end spans
/// (an ActivityListener hears the whole process), and waitable: no test sleeps for a span to arrive.
/// </summary>
public sealed class ExportedSpans : Collection<Activity>
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

    /// <summary>Whether <paramref name="span"/> descends from <paramref name="ancestor"/>, following parent links within <paramref name="trace"/>.</summary>
    public static bool IsUnder(Activity span, ActivitySpanId ancestor, IReadOnlyList<Activity> trace)
    {
        var bySpan = trace.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        for (var parent = span.ParentSpanId; parent != default; parent = bySpan.TryGetValue(parent, out var p) ? p.ParentSpanId : default)
        {
            if (parent == ancestor) return true;
        }
        return false;
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
