using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.ServiceDefaults;
using Xunit;

namespace Platform.Testing.Tests;

/// <summary>Every request gets a correlation id: echoed on the response and carried by everything logged for it.</summary>
public sealed class CorrelationTests
{
    private sealed class ScopeRecorder : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();
        public ConcurrentQueue<(string Message, Dictionary<string, object?> Scope)> Entries { get; } = new();
        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;
        public ILogger CreateLogger(string categoryName) => new Logger(this);
        public void Dispose() { }

        private sealed class Logger(ScopeRecorder owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scope = new Dictionary<string, object?>();
                owner._scopes.ForEachScope((s, into) =>
                {
                    if (s is IEnumerable<KeyValuePair<string, object?>> pairs) foreach (var (k, v) in pairs) into[k] = v;
                }, scope);
                owner.Entries.Enqueue((formatter(state, exception), scope));
            }
        }
    }

    [Fact]
    public async Task A_request_s_log_lines_carry_its_correlation_id_and_the_response_echoes_it()
    {
        var recorder = new ScopeRecorder();
        var builder = WebApplication.CreateBuilder();
        // Port 0: Kestrel binds a free port itself (no window for another test to take it); app.Urls then holds the bound one.
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(TestTokens.Shared.AuthConfiguration());
        builder.AddServiceDefaults();
        builder.Logging.AddProvider(recorder);
        await using var app = builder.Build();
        app.MapGet("/work", (ILogger<CorrelationTests> log) => { log.LogInformation("working on it"); return "done"; }).AllowAnonymous();
        await app.StartAsync();

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        foreach (var id in new[] { "req-7f3a", "req-91bc" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/work");
            request.Headers.Add("X-Correlation-Id", id);
            using var response = await http.SendAsync(request);
            Assert.Equal("done", await response.Content.ReadAsStringAsync());
            Assert.Equal(id, response.Headers.GetValues("X-Correlation-Id").Single());
            Assert.Contains(recorder.Entries, e => e.Message == "working on it" && Equals(e.Scope.GetValueOrDefault("CorrelationId"), id));
        }

        // A malformed id is not trusted: the request gets one of its own, which it also logs with.
        using var bad = new HttpRequestMessage(HttpMethod.Get, "/work");
        bad.Headers.TryAddWithoutValidation("X-Correlation-Id", "<script>");
        using var answer = await http.SendAsync(bad);
        var given = answer.Headers.GetValues("X-Correlation-Id").Single();
        Assert.NotEqual("<script>", given);
        Assert.Contains(recorder.Entries, e => e.Message == "working on it" && Equals(e.Scope.GetValueOrDefault("CorrelationId"), given));
        await app.StopAsync();
    }
}
