using System.Diagnostics;
using System.Text;

namespace Platform.Testing;

/// <summary>
/// A built app (its .dll) run as a process of its own, the way systemd or a container runs it, with its output collected:
/// for tests of what only a real process shows, such as how it ends on a signal.
/// </summary>
public sealed class AppProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _awaited = [];
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _openStreams = 2;

    private AppProcess(Process process) => _process = process;

    /// <summary>Starts <c>dotnet <paramref name="dll"/> <paramref name="args"/></c> with <paramref name="environment"/> added.</summary>
    public static AppProcess Start(string dll, IEnumerable<string> args, IDictionary<string, string?>? environment = null)
    {
        if (!File.Exists(dll)) throw new FileNotFoundException($"The app to run is not built: {dll}", dll);
        var psi = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>()) psi.Environment[k] = v;
        var process = new Process { StartInfo = psi };
        var app = new AppProcess(process);
        process.OutputDataReceived += (_, e) => app.Received(e.Data);
        process.ErrorDataReceived += (_, e) => app.Received(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
    }

    public int Id => _process.Id;

    /// <summary>Everything the process wrote so far, standard output and error interleaved by line.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>Waits until a line of output contains <paramref name="text"/>; fails if the process ends first or <paramref name="timeout"/> passes.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (_output.ToString().Contains(text, StringComparison.Ordinal)) return;
            _awaited.Add((text, seen));
        }
        Task first;
        try
        {
            first = await Task.WhenAny(seen.Task, _outputClosed.Task).WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"\"{text}\" did not appear within {timeout.TotalSeconds:0} s. Output:\n{Output}");
        }
        if (first != seen.Task) throw new InvalidOperationException($"The process ended before \"{text}\" appeared. Output:\n{Output}");
    }

    /// <summary>Sends SIGTERM, as <c>kill</c>, Kubernetes and systemd do to stop a process.</summary>
    public void Terminate() => Signal("TERM");

    /// <summary>Sends the named signal (<c>TERM</c>, <c>INT</c>, ...) with <c>kill</c>.</summary>
    public void Signal(string name)
    {
        var (exitCode, output) = ProcessRunner.Run("kill", [$"-{name}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (exitCode != 0) throw new InvalidOperationException($"kill -{name} {_process.Id} failed ({exitCode}): {output}");
    }

    /// <summary>The exit code, once the process has ended; a <see cref="TimeoutException"/> with its output if it has not within <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var bound = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The process was still running {timeout.TotalSeconds:0} s later. Output:\n{Output}");
        }
        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }

    private void Received(string? line)
    {
        if (line is null)
        {
            if (Interlocked.Decrement(ref _openStreams) == 0) _outputClosed.TrySetResult();
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
            for (var i = _awaited.Count - 1; i >= 0; i--)
            {
                if (!line.Contains(_awaited[i].Text, StringComparison.Ordinal)) continue;
                _awaited[i].Seen.TrySetResult();
                _awaited.RemoveAt(i);
            }
        }
    }

    // The host running these tests is dotnet itself (dotnet test starts "dotnet exec testhost.dll").
    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path
        : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
}
