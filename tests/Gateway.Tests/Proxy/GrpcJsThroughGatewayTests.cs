using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Xunit;

namespace Platform.Gateway.Tests.Proxy;

/// <summary>
/// A trust's system on @grpc/grpc-js (tests/interop/grpc/gateway-client.js) calling the service behind the real gateway:
/// unary and streaming calls with a token get the service's replies, statuses and trailers; without one, UNAUTHENTICATED.
/// </summary>
public class GrpcJsThroughGatewayTests(ProxyFixture fixture) : IClassFixture<ProxyFixture>
{
    [Fact]
    public async Task A_grpc_js_client_calls_through_the_gateway_unary_and_streaming_with_a_token_and_is_refused_without_one()
    {
        var token = GatewayHost.Token("RGR");
        var writesBefore = fixture.Upstream.Writes;

        var seen = await GrpcJsClient.RunAsync(fixture.Gateway.App.GrpcAddress.Port, token);

        var unary = seen.GetProperty("unary");
        Assert.Equal((int)StatusCode.OK, unary.GetProperty("code").GetInt32());
        Assert.Equal("hello from grpc-js", unary.GetProperty("reply").GetProperty("text").GetString());
        Assert.Equal("kept", unary.GetProperty("trailers").GetProperty("echo-trailer").GetString());
        // The service got the caller's own token, forwarded by the gateway.
        Assert.Equal("Bearer " + token, unary.GetProperty("reply").GetProperty("headers").GetProperty("authorization").GetString());

        var refused = seen.GetProperty("refused");
        Assert.Equal((int)StatusCode.FailedPrecondition, refused.GetProperty("code").GetInt32());
        Assert.Equal("The thing is not ready: approve it first.", refused.GetProperty("details").GetString());
        Assert.Equal("thing.not_ready", refused.GetProperty("trailers").GetProperty("platform-rule").GetString());

        var serverStreaming = seen.GetProperty("serverStreaming");
        Assert.Equal((int)StatusCode.OK, serverStreaming.GetProperty("code").GetInt32());
        Assert.Equal(["item 0", "item 1", "item 2"], Texts(serverStreaming.GetProperty("items")));

        var clientStreaming = seen.GetProperty("clientStreaming");
        Assert.Equal((int)StatusCode.OK, clientStreaming.GetProperty("code").GetInt32());
        Assert.Equal("a,b,c", clientStreaming.GetProperty("reply").GetProperty("text").GetString());

        // The script writes each request only after the reply to the one before has arrived.
        var bidi = seen.GetProperty("bidiStreaming");
        Assert.Equal((int)StatusCode.OK, bidi.GetProperty("code").GetInt32());
        Assert.Equal(["re: one", "re: two"], Texts(bidi.GetProperty("items")));

        foreach (var call in new[] { "unaryWithoutToken", "streamingWithoutToken" })
        {
            var withoutToken = seen.GetProperty(call);
            Assert.Equal((int)StatusCode.Unauthenticated, withoutToken.GetProperty("code").GetInt32());
        }
        Assert.Empty(Texts(seen.GetProperty("streamingWithoutToken").GetProperty("items")));
        // The write sent without a token never reached the service.
        Assert.Equal(writesBefore, fixture.Upstream.Writes);
    }

    private static string[] Texts(JsonElement items) => [.. items.EnumerateArray().Select(i => i.GetString()!)];
}

/// <summary>Runs gateway-client.js from tests/interop. Fails (never skips) when the npm peers are not installed.</summary>
internal static class GrpcJsClient
{
    public static async Task<JsonElement> RunAsync(int port, string token)
    {
        var interop = InteropDirectory();
        if (!Directory.Exists(Path.Combine(interop, "node_modules", "@grpc", "grpc-js")) || !Directory.Exists(Path.Combine(interop, "node_modules", "@grpc", "proto-loader")))
        {
            throw new InvalidOperationException($"@grpc/grpc-js is not installed in {interop}: run `npm ci --prefix tests/interop` from the repository root (tools/test.sh does).");
        }

        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = interop,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine("grpc", "gateway-client.js"), "--port", port.ToString(CultureInfo.InvariantCulture), "--token", token })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start node.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node gateway-client.js did not finish: {await stderr}");
        }

        var last = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        if (process.ExitCode != 0 || last is null)
        {
            throw new InvalidOperationException($"node gateway-client.js exited with {process.ExitCode}: {last} {await stderr}");
        }
        return JsonDocument.Parse(last).RootElement.Clone();
    }

    private static string InteropDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "interop");
            if (File.Exists(Path.Combine(candidate, "package.json"))) return candidate;
        }
        throw new InvalidOperationException($"No tests/interop/package.json above {AppContext.BaseDirectory}.");
    }
}
