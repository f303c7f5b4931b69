using System.Net;
using Platform.Testing;
using Xunit;

namespace Platform.Gateway.Tests;

/// <summary>The gateway as it stands before the proxy: health without a token, nothing else without one.</summary>
public sealed class GatewayTests : IAsyncLifetime
{
    private ServiceFactory<Program> _app = null!;

    public async Task InitializeAsync() => _app = await ServiceFactory<Program>.StartOnPostgresAsync("gateway");

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Health_needs_no_token_and_everything_else_does()
    {
        using var http = _app.CreateHttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/me")).StatusCode);
    }
}
