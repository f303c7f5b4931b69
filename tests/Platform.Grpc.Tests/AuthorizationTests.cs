using System.Security.Claims;
using System.Text.Encodings.Web;
using Grpc.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Grpc.Client;
using Platform.Grpc.Server;
using Platform.Grpc.Tests.Support;

namespace Platform.Grpc.Tests;

/// <summary>TestService behind ASP.NET Core authorization: any signed-in caller for EmptyCall, role "admin" for UnaryCall.</summary>
[GrpcService(typeof(TestReflection), "TestService")]
[Authorize]
public sealed class SecuredTestService
{
    public Task<Empty> EmptyCall(Empty request, ServerCallContext context) => Task.FromResult(new Empty());

    [Authorize(Roles = "admin")]
    public Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context) =>
        Task.FromResult(new SimpleResponse { Username = context.GetHttpContext().User.Identity?.Name ?? "" });

    public Task StreamingOutputCall(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context) => Task.CompletedTask;

    public Task<StreamingInputCallResponse> StreamingInputCall(IAsyncStreamReader<StreamingInputCallRequest> requests, ServerCallContext context) =>
        Task.FromResult(new StreamingInputCallResponse());

    public Task FullDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requests, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context) => Task.CompletedTask;

    public Task HalfDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requests, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context) => Task.CompletedTask;

    [AllowAnonymous]
    public Task<Empty> UnimplementedCall(Empty request, ServerCallContext context) => throw new RpcException(StatusCode.Unimplemented, "");
}

/// <summary>A stand-in for JWT bearer: "Bearer alice" signs in alice; "Bearer admin" signs in admin with role admin.</summary>
public sealed class TestBearerHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var name = header["Bearer ".Length..];
        if (name is not ("alice" or "admin"))
        {
            return Task.FromResult(AuthenticateResult.Fail("unknown token"));
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, name) };
        if (name == "admin")
        {
            claims.Add(new Claim(ClaimTypes.Role, "admin"));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }
}

public sealed class AuthorizationTests : IAsyncLifetime
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor s_service = TestReflection.Descriptor.Services.Single(s => s.Name == "TestService");
    private static readonly Method<Empty, Empty> s_emptyCall = Method<Empty, Empty>.From(s_service, "EmptyCall");
    private static readonly Method<SimpleRequest, SimpleResponse> s_unaryCall = Method<SimpleRequest, SimpleResponse>.From(s_service, "UnaryCall");
    private GrpcTestHost _host = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _host = await GrpcTestHost.StartAsync(
            app => app.MapGrpcService<SecuredTestService>(),
            services: services =>
            {
                services.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, TestBearerHandler>("Test", null);
                services.AddAuthorization();
            },
            middleware: app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
            });
        _channel = _host.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Call_without_credentials_ends_with_unauthenticated_in_grpc_status_not_http_401()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _channel.UnaryCall(s_emptyCall, new Empty()));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Call_with_an_invalid_token_ends_with_unauthenticated()
    {
        var options = new CallOptions().WithCredentials(CallCredentials.BearerToken("mallory"));
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _channel.UnaryCall(s_emptyCall, new Empty(), options));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Signed_in_caller_without_the_role_gets_permission_denied()
    {
        var options = new CallOptions().WithCredentials(CallCredentials.BearerToken("alice"));
        Assert.Equal(new Empty(), await _channel.UnaryCall(s_emptyCall, new Empty(), options));
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _channel.UnaryCall(s_unaryCall, new SimpleRequest(), options));
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task Caller_with_the_role_is_served_and_the_service_sees_the_user()
    {
        var options = new CallOptions().WithCredentials(CallCredentials.BearerToken(_ => ValueTask.FromResult("admin")));
        var response = await _channel.UnaryCall(s_unaryCall, new SimpleRequest(), options);
        Assert.Equal("admin", response.Username);
    }

    [Fact]
    public async Task Refused_call_is_a_trailers_only_grpc_response_with_http_200()
    {
        using var client = new HttpClient(new SocketsHttpHandler());
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_host.Address, "/grpc.testing.TestService/EmptyCall"))
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var response = await client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("16", response.Headers.GetValues("grpc-status").Single());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }
}
