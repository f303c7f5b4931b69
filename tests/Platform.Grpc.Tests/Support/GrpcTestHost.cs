using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Grpc.AspNetCore.Server;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Grpc.Hosting;

namespace Platform.Grpc.Tests.Support;

/// <summary>
/// A real Kestrel server on a loopback port, HTTP/2 only (h2c, or TLS with a given certificate), with gRPC configured as
/// every service has it (<see cref="PlatformGrpcExtensions.AddPlatformGrpc"/>), so tests hold Grpc.AspNetCore and the
/// platform's configuration of it to their verdicts.
/// </summary>
public sealed class GrpcTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private GrpcTestHost(WebApplication app, Uri address, TestLoggerProvider logs)
    {
        _app = app;
        Address = address;
        Logs = logs;
    }

    public Uri Address { get; }

    public int Port => Address.Port;

    public IServiceProvider Services => _app.Services;

    public TestLoggerProvider Logs { get; }

    public static async Task<GrpcTestHost> StartAsync(
        Action<WebApplication> map,
        Action<IServiceCollection>? services = null,
        Action<GrpcServiceOptions>? options = null,
        X509Certificate2? certificate = null,
        Action<WebApplication>? middleware = null,
        Action<KestrelServerOptions>? kestrelOptions = null,
        int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var logs = new TestLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrelOptions?.Invoke(kestrel);
            if (certificate is null)
            {
                kestrel.ListenGrpcH2c(port, IPAddress.Loopback);
            }
            else
            {
                kestrel.ListenGrpcTls(port, certificate, IPAddress.Loopback);
            }
        });
        builder.AddPlatformGrpc();
        if (options is not null)
        {
            builder.Services.Configure(options);
        }

        services?.Invoke(builder.Services);

        var app = builder.Build();
        // Every response names its connection, so tests can show a bad call did not cost the connection.
        app.Use((context, next) =>
        {
            context.Response.Headers["x-connection-id"] = context.Connection.Id;
            return next(context);
        });
        middleware?.Invoke(app);
        map(app);
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new GrpcTestHost(app, new Uri(address), logs);
    }

    /// <summary>A plain Grpc.Net.Client channel to the server.</summary>
    public GrpcChannel CreateChannel(GrpcChannelOptions? options = null) => GrpcChannel.ForAddress(Address, options ?? new GrpcChannelOptions());

    /// <summary>A loopback port free now, for a server whose own clients must know its address before it starts.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>Keeps what the server logged so tests can assert on it.</summary>
public sealed class TestLoggerProvider : ILoggerProvider
{
    private readonly List<string> _entries = [];

    public IReadOnlyList<string> Entries
    {
        get
        {
            lock (_entries)
            {
                return _entries.ToArray();
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(TestLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            lock (provider._entries)
            {
                provider._entries.Add($"{logLevel} {category}: {formatter(state, exception)} {exception?.GetType().Name}");
            }
        }
    }
}
