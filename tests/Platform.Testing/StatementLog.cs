using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Platform.Testing;

/// <summary>
/// The statements one EF context sends while this is alive (EF's diagnostic events, filtered to that context): how many,
/// and their text. For tests that hold a query count ("one statement however many rows") or what a load reads.
/// </summary>
public sealed class StatementLog : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly DbContext _context;
    private readonly List<IDisposable> _subscriptions = [];
    private readonly List<string> _commands = [];

    public StatementLog(DbContext context)
    {
        _context = context;
        _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
    }

    /// <summary>How many statements the context has sent.</summary>
    public int Count
    {
        get { lock (_commands) return _commands.Count; }
    }

    /// <summary>The statements' text, in the order sent.</summary>
    public IReadOnlyList<string> Commands
    {
        get { lock (_commands) return [.. _commands]; }
    }

    public void OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name) _subscriptions.Add(listener.Subscribe(this, name => name == RelationalEventId.CommandExecuted.Name));
    }

    public void OnNext(KeyValuePair<string, object?> e)
    {
        if (e.Key == RelationalEventId.CommandExecuted.Name && e.Value is CommandExecutedEventData data && ReferenceEquals(data.Context, _context))
            lock (_commands) _commands.Add(data.Command.CommandText);
    }

    public void OnCompleted() { }
    public void OnError(Exception error) { }

    public void Dispose()
    {
        foreach (var s in _subscriptions) s.Dispose();
    }
}
