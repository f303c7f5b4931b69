using Microsoft.AspNetCore.Builder;
using Grpc.Core;
using Grpc.Net.Client;
using Platform.Grpc.Tests.Support;

namespace Platform.Grpc.Tests.Interop;

[Collection(InteropCollection.Name)]
public sealed class TlsInteropTests
{
    private static readonly string[] s_cases = ["empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong", "custom_metadata", "status_code_and_message"];

    [Fact]
    public async Task Grpc_js_client_runs_interop_cases_against_the_tls_endpoint()
    {
        using var certificate = TestCertificates.CreateSelfSigned();
        var pem = TestCertificates.WritePem(certificate);
        try
        {
            await using var host = await GrpcTestHost.StartAsync(app => app.MapGrpcService<InteropTestService>(), certificate: certificate);
            var results = await NodePeer.RunClientAsync(host.Port, TimeSpan.FromSeconds(90), s_cases, ["--ca", pem.CertificateFile]);
            Assert.All(s_cases, name =>
            {
                Assert.True(results.TryGetValue(name, out var result), $"grpc-js did not report {name}");
                Assert.True(result.Passed, $"{name} over TLS: {result.Error}");
            });
        }
        finally
        {
            Directory.Delete(pem.Directory, recursive: true);
        }
    }

    [Fact]
    public async Task Grpc_net_client_runs_interop_cases_against_a_grpc_js_tls_server()
    {
        using var certificate = TestCertificates.CreateSelfSigned();
        var pem = TestCertificates.WritePem(certificate);
        try
        {
            using var server = await NodePeer.StartServerAsync("--cert", pem.CertificateFile, "--key", pem.KeyFile);
            using var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString();
            using var channel = GrpcChannel.ForAddress($"https://localhost:{server.Port}", new GrpcChannelOptions { HttpHandler = handler });
            var cases = new InteropCases(channel, serverChecksCompression: false);
            foreach (var name in s_cases)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await cases.RunAsync(name).WaitAsync(timeout.Token);
            }
        }
        finally
        {
            Directory.Delete(pem.Directory, recursive: true);
        }
    }
}
