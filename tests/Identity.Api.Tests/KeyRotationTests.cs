using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Platform.Identity.Api.Tokens;
using Xunit;

namespace Platform.Identity.Api.Tests;

/// <summary>
/// A key rotation while tokens are in flight, on a running identity service of its own (no other test has had its
/// keys fetched): a token signed before the rotation is still accepted after it, a token signed after it is signed with
/// the new key and accepted too, and the JWKS publishes both.
/// </summary>
public sealed class KeyRotationTests : IAsyncLifetime
{
    private readonly IdentityFixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task Tokens_signed_before_a_rotation_stay_valid_and_new_tokens_are_signed_with_the_new_key()
    {
        var (id, secret) = await _fixture.OnboardAsync("KRA1");
        var before = await _fixture.ClientTokenAsync(id, secret);

        var ring = _fixture.App.Services.GetRequiredService<SigningKeyRing>();
        var next = await ring.RotateAsync(TimeSpan.Zero, default);
        var after = await _fixture.ClientTokenAsync(id, secret);

        Assert.NotEqual(new JsonWebToken(before).Kid, new JsonWebToken(after).Kid);
        Assert.Equal(next.KeyId, new JsonWebToken(after).Kid);
        using var http = _fixture.App.CreateHttpClient();
        using var jwks = JsonDocument.Parse(await http.GetStringAsync("/.well-known/jwks"));
        var published = jwks.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();
        Assert.Contains(new JsonWebToken(before).Kid, published);
        Assert.Contains(next.KeyId, published);

        Assert.Equal(HttpStatusCode.OK, (await _fixture.MeAsync(before)).Status);
        Assert.Equal(HttpStatusCode.OK, (await _fixture.MeAsync(after)).Status);
    }
}
