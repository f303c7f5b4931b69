using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Platform.ServiceDefaults;
using Platform.ServiceDefaults.Startup;
using Xunit;

namespace Platform.Testing.Tests;

/// <summary>
/// The start-up warm-up (issue 19: the first dashboard after start-up outlived the gateway's timeout): /health/ready
/// does not say ready before the app's warm-up steps have run, and a step that fails is told on /health/ready and in
/// the log, and tried again, rather than passed over. The steps here are fakes held by a gate the test opens.
/// </summary>
public sealed class StartupWarmupTests
{
    [Fact]
    public async Task Readiness_answers_503_naming_the_step_until_the_warm_up_has_run_then_200()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ran = 0;
        await using var app = await StartAsync(services => services.AddStartupWarmup("schema", async (_, ct) =>
        {
            entered.TrySetResult();
            await gate.Task.WaitAsync(ct);
            Interlocked.Increment(ref ran);
        }));
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        await entered.Task;

        var (status, warmup) = await ReadyAsync(http);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", warmup.GetProperty("status").GetString());
        Assert.Contains("warming up: step 'schema' (1 of 1)", warmup.GetProperty("description").GetString());
        // Alive all the while: liveness is not readiness.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);

        gate.SetResult();
        await app.Services.GetRequiredService<StartupWarmup>().Completion;

        (status, warmup) = await ReadyAsync(http);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", warmup.GetProperty("status").GetString());
        Assert.StartsWith("warmed up: 1 step(s)", warmup.GetProperty("description").GetString());
        Assert.Equal(1, ran);
    }

    [Fact]
    public async Task A_failing_step_is_reported_on_readiness_and_in_the_log_and_tried_again_after_the_retry_delay()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-04T22:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var log = new ErrorLog();
        var attempts = 0;
        await using var app = await StartAsync(services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddStartupWarmup("database consent", (_, _) =>
                Interlocked.Increment(ref attempts) == 1 ? throw new InvalidOperationException("the database refused the first connection") : Task.CompletedTask);
        }, log);
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        var error = await log.First.Task;
        Assert.Contains("Start-up warm-up step database consent failed (attempt 1)", error.Message);
        Assert.Equal("the database refused the first connection", error.Exception?.Message);
        var (status, warmup) = await ReadyAsync(http);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", warmup.GetProperty("status").GetString());
        Assert.Equal("warm-up step 'database consent' failed (InvalidOperationException; see the log); trying again in 5 s", warmup.GetProperty("description").GetString());
        Assert.False(app.Services.GetRequiredService<StartupWarmup>().IsComplete);

        clock.Advance(TimeSpan.FromSeconds(5)); // StartupWarmup:RetryDelay, its default
        await app.Services.GetRequiredService<StartupWarmup>().Completion;

        Assert.Equal(2, attempts);
        (status, warmup) = await ReadyAsync(http);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", warmup.GetProperty("status").GetString());
    }

    private static async Task<WebApplication> StartAsync(Action<IServiceCollection> services, ILoggerProvider? log = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(TestTokens.Shared.AuthConfiguration());
        builder.AddServiceDefaults();
        if (log is not null) builder.Logging.AddProvider(log);
        services(builder.Services);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        return app;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Warmup)> ReadyAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/health/ready");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.GetProperty("checks").GetProperty("startup-warmup").Clone());
    }

    /// <summary>The first error logged by the warm-up.</summary>
    private sealed class ErrorLog : ILoggerProvider
    {
        public TaskCompletionSource<(string Message, Exception? Exception)> First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ErrorLog owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Error && category == typeof(StartupWarmup).FullName) owner.First.TrySetResult((formatter(state, exception), exception));
            }
        }
    }
}
