using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using C = Platform.Contracts.Consent.V1;

namespace Platform.Tools.ConsentBench;

/// <summary>What one load phase measured, as the load generator hands it to the bench (one JSON line).</summary>
public sealed record PhaseResult(
    string Name,
    string Mode,
    double Seconds,
    long Sent,
    long Ok,
    Dictionary<string, long> Errors,
    long Permit,
    long Deny,
    Dictionary<string, long> DenyRules,
    string Latency,
    string? LatencyFromIntended,
    double ClientCpuSeconds,
    double TargetRate,
    int Concurrency);

/// <summary>
/// The load generator: a separate process (pinned by the bench to the other core) sending CheckUse over h2c through
/// the generated client (Grpc.Net.ClientFactory), closed loop (N calls in flight) or open loop (a fixed arrival rate, latency also measured
/// from each call's intended start so a stall cannot hide queued calls). Reads its work from files the bench writes.
/// </summary>
public static class LoadClient
{
    // args: client <address> <token file> <targets file> <connections> <phase>...
    // phase: name:cold:c=16 | name:closed:c=64,d=10 | name:open:r=5000,d=10
    public static async Task<int> RunAsync(string[] args)
    {
        var address = new Uri(args[1]);
        var token = (await File.ReadAllTextAsync(args[2])).Trim();
        var (uses, others, firstUses) = ReadTargets(args[3]);
        var connections = int.Parse(args[4], CultureInfo.InvariantCulture);
        using var clients = ConsentClients.Create(address, token, connections);
        var state = new Shared(clients.All);

        foreach (var spec in args.Skip(5))
        {
            var parts = spec.Split(':');
            var (name, mode) = (parts[0], parts[1]);
            var p = parts.Length > 2 ? parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => double.Parse(kv[1], CultureInfo.InvariantCulture)) : [];
            Console.WriteLine($"BEGIN {name}");
            var result = mode switch
            {
                "cold" => await ClosedAsync(state, name, mode, (int)p["c"], TimeSpan.MaxValue, ColdOrder(firstUses)),
                "closed" => await ClosedAsync(state, name, mode, (int)p["c"], TimeSpan.FromSeconds(p["d"]), RandomPicks(uses, others)),
                "open" => await OpenAsync(state, name, p["r"], TimeSpan.FromSeconds(p["d"]), RandomPicks(uses, others)),
                _ => throw new ArgumentException($"unknown mode {mode}"),
            };
            Console.WriteLine($"END {name} {JsonSerializer.Serialize(result)}");
        }
        return 0;
    }

    private static (C.CheckUseRequest[] Uses, C.CheckUseRequest[] Others, C.CheckUseRequest[] FirstUses) ReadTargets(string path)
    {
        var uses = new List<C.CheckUseRequest>();
        var others = new List<C.CheckUseRequest>();
        var first = new List<C.CheckUseRequest>();
        var seen = new HashSet<string>();
        foreach (var line in File.ReadLines(path))
        {
            var f = line.Split(' ');
            var request = new C.CheckUseRequest { PatientId = f[1], TechnologyId = f[2], WardCode = f[3], Purpose = C.UsePurpose.DirectCareOrTreatment };
            if (f[0] == "u")
            {
                uses.Add(request);
                if (seen.Add(f[1])) first.Add(request);
            }
            else
            {
                others.Add(request);
            }
        }
        return (uses.ToArray(), others.ToArray(), first.ToArray());
    }

    /// <summary>Every patient once, in a random order: each is a cache miss the first time.</summary>
    private static Func<C.CheckUseRequest?> ColdOrder(C.CheckUseRequest[] firstUses)
    {
        var order = firstUses.ToArray();
        new Random(7).Shuffle(order);
        var next = -1;
        return () =>
        {
            var i = Interlocked.Increment(ref next);
            return i < order.Length ? order[i] : null;
        };
    }

    /// <summary>A device asking about its own use (90%), or about a random technology for a patient on its ward (10%).</summary>
    private static Func<C.CheckUseRequest?> RandomPicks(C.CheckUseRequest[] uses, C.CheckUseRequest[] others) =>
        () => Random.Shared.Next(10) == 0 ? others[Random.Shared.Next(others.Length)] : uses[Random.Shared.Next(uses.Length)];

    private sealed class Shared(IReadOnlyList<C.ConsentService.ConsentServiceClient> clients)
    {
        private int _next;
        public C.ConsentService.ConsentServiceClient Client() => clients[(int)((uint)Interlocked.Increment(ref _next) % (uint)clients.Count)];
    }

    private sealed class Tally
    {
        private readonly object _gate = new();
        public readonly Histogram Latency = new();
        public readonly Histogram FromIntended = new();
        public readonly Dictionary<string, long> Errors = [];
        public readonly Dictionary<string, long> DenyRules = [];
        public long Sent;
        public long Finished;
        public long Ok;
        public long Permit;
        public long Deny;

        public void Done(long startTicks, long intendedTicks, C.CheckUseResponse? response, string? error)
        {
            var end = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref Finished);
            lock (_gate)
            {
                Latency.Record(Nanos(end - startTicks));
                if (intendedTicks != 0) FromIntended.Record(Nanos(end - intendedTicks));
                if (error is not null)
                {
                    Errors[error] = Errors.GetValueOrDefault(error) + 1;
                    return;
                }
                Ok++;
                if (response!.Decision == C.UseCheckDecision.Permit)
                {
                    Permit++;
                }
                else
                {
                    Deny++;
                    foreach (var r in response.Reasons) DenyRules[r.Rule] = DenyRules.GetValueOrDefault(r.Rule) + 1;
                }
            }
        }

        public StallWatchdog Watch(string phase) => new(() => (Interlocked.Read(ref Sent), Interlocked.Read(ref Finished)), phase);

        public PhaseResult Result(string name, string mode, double seconds, double cpu, double rate, int concurrency, bool open) =>
            new(name, mode, seconds, Sent, Ok, Errors, Permit, Deny, DenyRules, Latency.Serialize(), open ? FromIntended.Serialize() : null, cpu, rate, concurrency);
    }

    private static long Nanos(long ticks) => (long)(ticks * (1_000_000_000.0 / Stopwatch.Frequency));

    private static async Task OneAsync(Shared shared, Tally tally, C.CheckUseRequest request, long intended)
    {
        var start = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref tally.Sent);
        try
        {
            var response = await shared.Client().CheckUseAsync(request).ResponseAsync.ConfigureAwait(false);
            tally.Done(start, intended, response, null);
        }
        catch (RpcException e)
        {
            tally.Done(start, intended, null, e.StatusCode.ToString());
        }
        catch (HttpRequestException e)
        {
            tally.Done(start, intended, null, "transport: " + e.Message);
        }
    }

    private static async Task<PhaseResult> ClosedAsync(Shared shared, string name, string mode, int concurrency, TimeSpan duration, Func<C.CheckUseRequest?> next)
    {
        var tally = new Tally();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using var watchdog = tally.Watch(name);
        var end = duration == TimeSpan.MaxValue ? long.MaxValue : Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            await Task.Yield();
            while (Stopwatch.GetTimestamp() < end && next() is { } request)
                await OneAsync(shared, tally, request, 0).ConfigureAwait(false);
        }).ToArray();
        await Task.WhenAll(workers);
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        return tally.Result(name, mode, seconds, cpu, 0, concurrency, open: false);
    }

    private static async Task<PhaseResult> OpenAsync(Shared shared, string name, double rate, TimeSpan duration, Func<C.CheckUseRequest?> next)
    {
        var tally = new Tally();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var inFlight = new List<Task>((int)(rate * duration.TotalSeconds) + 16);
        var start = Stopwatch.GetTimestamp();
        var ticksPerCall = Stopwatch.Frequency / rate;
        var total = (long)(rate * duration.TotalSeconds);
        // A dedicated thread releases every call whose intended start has come, then sleeps about a millisecond. The
        // phase awaits it rather than joining it: this method runs on a thread-pool thread, and with the generator
        // on one CPU the pool starts with one thread, so a join held it for the whole phase and every open phase
        // began with calls answered but not read for the 0.5-1.6 s the pool took to add a thread.
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scheduler = new Thread(() =>
        {
            try
            {
                long sent = 0;
                while (sent < total)
                {
                    var due = Math.Min(total, (long)((Stopwatch.GetTimestamp() - start) / ticksPerCall) + 1);
                    for (; sent < due; sent++)
                    {
                        var intended = start + (long)(sent * ticksPerCall);
                        var task = OneAsync(shared, tally, next()!, intended);
                        lock (inFlight) inFlight.Add(task);
                    }
                    Thread.Sleep(1);
                }
                released.SetResult();
            }
            catch (Exception e)
            {
                released.SetException(e);
            }
        }) { IsBackground = true, Name = "open-loop scheduler" };
        using var watchdog = tally.Watch(name);
        scheduler.Start();
        await released.Task.ConfigureAwait(false);
        Task[] all;
        lock (inFlight) all = inFlight.ToArray();
        await Task.WhenAll(all);
        var seconds = (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        return tally.Result(name, "open", seconds, cpu, rate, 0, open: true);
    }
}

/// <summary>
/// Prints a STALL line when calls are in flight and none has finished for 100 ms or more: how long, and what the
/// runtime did meanwhile (collections and their pause, thread-pool threads and queued work), to tell our generator's
/// own stalls from the service's.
/// </summary>
internal sealed class StallWatchdog : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    public StallWatchdog(Func<(long Sent, long Finished)> progress, string phase)
    {
        _thread = new Thread(() =>
        {
            static (int Gen0, int Gen2, TimeSpan Pause, long WorkItems) Runtime() =>
                (GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration(), ThreadPool.CompletedWorkItemCount);
            var (_, lastFinished) = progress();
            var since = Stopwatch.GetTimestamp();
            var (gc0, gc2, pause0, completed0) = Runtime();
            var maxPending = 0L;
            var maxThreads = 0;
            while (!_stop.Token.WaitHandle.WaitOne(10))
            {
                var (sent, finished) = progress();
                maxPending = Math.Max(maxPending, ThreadPool.PendingWorkItemCount);
                maxThreads = Math.Max(maxThreads, ThreadPool.ThreadCount);
                if (finished != lastFinished || sent == finished)
                {
                    var ms = Stopwatch.GetElapsedTime(since).TotalMilliseconds;
                    if (ms >= 100)
                        Console.WriteLine($"STALL {phase} {DateTime.UtcNow:HH:mm:ss.fff}: no call finished for {ms:0} ms with {sent - lastFinished} in flight; meanwhile gen0 GCs {GC.CollectionCount(0) - gc0} " +
                            $"(gen2 {GC.CollectionCount(2) - gc2}), GC pause {(GC.GetTotalPauseDuration() - pause0).TotalMilliseconds:0} ms, thread-pool work items run " +
                            $"{ThreadPool.CompletedWorkItemCount - completed0}, queued at most {maxPending}, threads at most {maxThreads}");
                    lastFinished = finished;
                    since = Stopwatch.GetTimestamp();
                    (gc0, gc2, pause0, completed0) = Runtime();
                    maxPending = 0;
                    maxThreads = 0;
                }
            }
        }) { IsBackground = true, Name = "stall watchdog" };
        _thread.Start();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }
}
