using Microsoft.AspNetCore.Builder;
using Platform.Grpc.Tests.Support;

namespace Platform.Grpc.Tests.Interop;

/// <summary>Starts Grpc.AspNetCore, configured as the services are, with the interop TestService and runs every grpc-js client case against it once.</summary>
public sealed class GrpcJsClientRun : IAsyncLifetime
{
    private GrpcTestHost? _host;

    public IReadOnlyDictionary<string, NodePeer.CaseResult> Results { get; private set; } = new Dictionary<string, NodePeer.CaseResult>();

    public async Task InitializeAsync()
    {
        _host = await GrpcTestHost.StartAsync(app => app.MapGrpcService<InteropTestService>());
        Results = await NodePeer.RunClientAsync(_host.Port, TimeSpan.FromSeconds(240));
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

[Collection(InteropCollection.Name)]
public sealed class GrpcJsClientTests(GrpcJsClientRun run) : IClassFixture<GrpcJsClientRun>
{
    public static TheoryData<string> Cases => new(InteropCases.Names);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Grpc_js_client_passes_the_interop_case_against_grpc_aspnetcore_as_configured(string name)
    {
        Assert.True(run.Results.TryGetValue(name, out var result), $"grpc-js client did not report case {name}.");
        Assert.True(result.Passed, $"{name} failed in grpc-js after {result.Ms} ms: {result.Error}");
    }
}

/// <summary>The two directions of the interop suite each move hundreds of megabytes; running them one after the other
/// keeps them inside their time bounds on a small, shared machine.</summary>
[CollectionDefinition(Name)]
public sealed class InteropCollection
{
    public const string Name = "grpc interop";
}
