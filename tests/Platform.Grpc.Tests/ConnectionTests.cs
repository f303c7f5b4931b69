using System.Collections.Concurrent;
using System.Net;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Grpc.Hosting;
using Platform.Grpc.Tests.Probe;
using Platform.Grpc.Tests.Support;

namespace Platform.Grpc.Tests;

public sealed class ConnectionTests
{
    [Fact]
    public async Task The_platforms_client_opens_another_connection_when_the_server_allows_no_more_streams_on_one()
    {
        var connections = new ConcurrentDictionary<string, bool>();
        await using var host = await GrpcTestHost.StartAsync(
            app => app.MapGrpcService<ProbeService>(),
            services: s => s.AddSingleton(new ProbeRecorder()),
            middleware: app => app.Use((context, next) =>
            {
                connections[context.Connection.Id] = true;
                return next(context);
            }),
            kestrelOptions: kestrel => kestrel.Limits.Http2.MaxStreamsPerConnection = 1);
        var services = new ServiceCollection();
        services.AddPlatformGrpcClient<Probe.Probe.ProbeClient>(host.Address, TimeSpan.FromSeconds(30));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<Probe.Probe.ProbeClient>();

        var calls = Enumerable.Range(0, 4).Select(_ => client.UnaryAsync(new ProbeRequest { Text = "slow", DelayMs = 1000 }).ResponseAsync);
        var replies = await Task.WhenAll(calls);

        Assert.All(replies, r => Assert.Equal("slow", r.Text));
        // With one stream per connection, a client that could not open more connections would queue the calls on one.
        Assert.True(connections.Count > 1, $"all calls shared {connections.Count} connection(s)");
    }

    [Fact]
    public async Task Service_layout_serves_grpc_on_the_h2c_port_and_refuses_it_on_the_http1_port()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenHttp1(0, IPAddress.Loopback).ListenGrpcH2c(0, IPAddress.Loopback));
        builder.AddPlatformGrpc();
        builder.Services.AddSingleton(new ProbeRecorder());
        await using var app = builder.Build();
        app.MapGrpcService<ProbeService>();
        app.MapGet("/health/ready", () => "ready");
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();

        using var http = new HttpClient();
        Uri? http1 = null;
        foreach (var address in addresses)
        {
            try
            {
                if ((await http.GetStringAsync(new Uri(address, "/health/ready"))) == "ready")
                {
                    http1 = address;
                }
            }
            catch (HttpRequestException)
            {
                // The h2c-only endpoint does not speak HTTP/1.1.
            }
        }

        Assert.NotNull(http1);
        var grpc = addresses.Single(a => a != http1);
        using var channel = GrpcChannel.ForAddress(grpc);
        Assert.Equal("h2c", (await new Probe.Probe.ProbeClient(channel).UnaryAsync(new ProbeRequest { Text = "h2c" })).Text);

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(http1, "/platform.testing.v1.Probe/Unary")) { Content = new ByteArrayContent([0, 0, 0, 0, 0]) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        await app.StopAsync();
    }
}
