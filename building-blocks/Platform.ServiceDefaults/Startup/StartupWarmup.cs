using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Platform.ServiceDefaults.Startup;

/// <summary>
/// One piece of work an app does once at start-up so that its first request does not pay for it (building the EF
/// model and opening the first database connection, building the GraphQL schema, JIT of a request's path). Registered
/// with <see cref="StartupWarmupExtensions.AddStartupWarmup(IServiceCollection, string, Func{IServiceProvider, CancellationToken, Task})"/>;
/// each run gets a scope of its own.
/// </summary>
public interface IStartupWarmupStep
{
    /// <summary>What the step warms, as the readiness detail and the log name it.</summary>
    string Name { get; }

    Task RunAsync(IServiceProvider services, CancellationToken cancellationToken);
}

/// <summary>Configuration section <c>StartupWarmup</c>.</summary>
public sealed class StartupWarmupOptions
{
    public const string Section = "StartupWarmup";

    /// <summary>
    /// Whether the steps run. Off, readiness does not wait for them and the first requests pay for what they would have
    /// done: for measuring what the warm-up is worth (tools/bench GraphQLBench cold --compare), not for production.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long after a failed step it is tried again; doubled after each failure of the same step, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);
}

public static class StartupWarmupExtensions
{
    /// <summary>
    /// The warm-up runner and its readiness entry (<c>startup-warmup</c>, tagged <c>ready</c>): once the host has
    /// started (migrations applied, Kestrel listening, so /health/live answers), the registered steps run one after
    /// another; /health/ready answers 503 until all of them have finished. A step that throws is reported on
    /// /health/ready (its name and the error) and in the log, and tried again after <see cref="StartupWarmupOptions.RetryDelay"/>:
    /// the app does not report ready on a warm-up that did not happen. Called by AddServiceDefaults; idempotent.
    /// </summary>
    public static IServiceCollection AddStartupWarmupRunner(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(StartupWarmup))) return services;
        services.AddOptions<StartupWarmupOptions>().Bind(configuration.GetSection(StartupWarmupOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<StartupWarmup>();
        services.AddHostedService(sp => sp.GetRequiredService<StartupWarmup>());
        services.AddHealthChecks().AddCheck<StartupWarmup.HealthCheck>("startup-warmup", tags: ["ready"]);
        return services;
    }

    /// <summary>Adds a step to the app's warm-up (steps run in the order they are added).</summary>
    public static IServiceCollection AddStartupWarmup(this IServiceCollection services, string name, Func<IServiceProvider, CancellationToken, Task> step) =>
        services.AddSingleton<IStartupWarmupStep>(new DelegateStep(name, step));

    /// <summary>Adds <typeparamref name="TStep"/> (a singleton) to the app's warm-up.</summary>
    public static IServiceCollection AddStartupWarmup<TStep>(this IServiceCollection services) where TStep : class, IStartupWarmupStep =>
        services.AddSingleton<IStartupWarmupStep, TStep>();

    private sealed class DelegateStep(string name, Func<IServiceProvider, CancellationToken, Task> step) : IStartupWarmupStep
    {
        public string Name => name;

        public Task RunAsync(IServiceProvider services, CancellationToken cancellationToken) => step(services, cancellationToken);
    }
}

/// <summary>Runs the app's <see cref="IStartupWarmupStep"/>s once the host has started, and tells readiness how far it got.</summary>
public sealed class StartupWarmup(IEnumerable<IStartupWarmupStep> steps, IServiceScopeFactory scopes, Microsoft.Extensions.Options.IOptions<StartupWarmupOptions> options,
    TimeProvider time, ILogger<StartupWarmup> logger) : IHostedLifecycleService
{
    private readonly IStartupWarmupStep[] _steps = steps.ToArray();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, object> _timings = [];
    private volatile State _state = new(Phase.NotStarted, null, null);
    private Task _run = Task.CompletedTask;

    private enum Phase { NotStarted, Running, Failed, Done, Off }

    private sealed record State(Phase Phase, string? Step, Exception? Error, int Done = 0, TimeSpan RetryIn = default, double TotalMs = 0);

    /// <summary>Whether every step has finished (or the warm-up is off): readiness may report ready.</summary>
    public bool IsComplete => _state.Phase is Phase.Done or Phase.Off;

    /// <summary>The run of the steps, once the host has started: for a test to await, never for a request.</summary>
    public Task Completion => _run;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // After every hosted service has started (migrations applied, the server listening): readiness can be asked
    // (and answers 503) while the steps run.
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            _state = new State(Phase.Off, null, null);
            logger.LogInformation("Start-up warm-up is off (StartupWarmup:Enabled=false): {Count} step(s) not run", _steps.Length);
            return Task.CompletedTask;
        }
        _state = new State(Phase.Running, _steps.FirstOrDefault()?.Name, null);
        _run = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _run.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        _stopping.Dispose();
        return Task.CompletedTask;
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var all = Stopwatch.StartNew();
        for (var i = 0; i < _steps.Length; i++)
        {
            var step = _steps[i];
            var delay = options.Value.RetryDelay;
            for (var attempt = 1; ; attempt++)
            {
                _state = new State(Phase.Running, step.Name, null, i);
                var one = Stopwatch.StartNew();
                try
                {
                    await using (var scope = scopes.CreateAsyncScope())
                        await step.RunAsync(scope.ServiceProvider, stopping);
                    lock (_timings) _timings[step.Name] = Math.Round(one.Elapsed.TotalMilliseconds);
                    logger.LogInformation("Start-up warm-up step {Step} done in {ElapsedMs:F0} ms", step.Name, one.Elapsed.TotalMilliseconds);
                    break;
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // The wait starts before the failure is told, so whoever reads the log line may move the clock on.
                    var retry = Task.Delay(delay, time, stopping);
                    _state = new State(Phase.Failed, step.Name, e, i, delay);
                    logger.LogError(e, "Start-up warm-up step {Step} failed (attempt {Attempt}); the app stays not ready; trying again in {RetryIn}", step.Name, attempt, delay);
                    try
                    {
                        await retry;
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Value.MaxRetryDelay.Ticks));
                }
            }
        }
        _state = new State(Phase.Done, null, null, _steps.Length, TotalMs: all.Elapsed.TotalMilliseconds);
        logger.LogInformation("Start-up warm-up done: {Count} step(s) in {ElapsedMs:F0} ms", _steps.Length, all.Elapsed.TotalMilliseconds);
    }

    /// <summary>The readiness entry <c>startup-warmup</c>: unhealthy until every step has run, and while a step is failing.</summary>
    public sealed class HealthCheck(StartupWarmup warmup) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var state = warmup._state;
            var total = warmup._steps.Length;
            Dictionary<string, object> data;
            lock (warmup._timings) data = new Dictionary<string, object>(warmup._timings.Select(t => KeyValuePair.Create(t.Key + "_ms", t.Value)));
            return Task.FromResult(state.Phase switch
            {
                Phase.Off => HealthCheckResult.Healthy("start-up warm-up off (StartupWarmup:Enabled=false)"),
                Phase.Done => HealthCheckResult.Healthy($"warmed up: {total} step(s) in {state.TotalMs:F0} ms", data),
                // The error's type only (as the database check): readiness answers anyone; the log has the whole error.
                Phase.Failed => HealthCheckResult.Unhealthy(
                    $"warm-up step '{state.Step}' failed ({state.Error!.GetType().Name}; see the log); trying again in {state.RetryIn.TotalSeconds:0} s", state.Error, data),
                Phase.Running => HealthCheckResult.Unhealthy($"warming up: step '{state.Step}' ({state.Done + 1} of {total})", data: data),
                _ => HealthCheckResult.Unhealthy("the host has not started yet"),
            });
        }
    }
}
