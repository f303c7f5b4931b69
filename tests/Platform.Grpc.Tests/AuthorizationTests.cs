using System.Security.Claims;
using System.Text.Encodings.Web;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1;
using Grpc.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Grpc.Tests.Support;
using Status = Grpc.Core.Status;

namespace Platform.Grpc.Tests;

/// <summary>TestService behind ASP.NET Core authorization: any signed-in caller for EmptyCall, role "admin" for UnaryCall.</summary>
[Authorize]
public sealed class SecuredTestService : TestService.TestServiceBase
{
    public override Task<Empty> EmptyCall(Empty request, ServerCallContext context) => Task.FromResult(new Empty());

    [Authorize(Roles = "admin")]
    public override Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context) =>
        Task.FromResult(new SimpleResponse { Username = context.GetHttpContext().User.Identity?.Name ?? "" });
}

/// <summary>TestService with the platform's role check: "admin" for UnaryCall, nothing more than a signed-in caller for EmptyCall.</summary>
[Authorize]
public sealed class RoleCheckedTestService(ProbeRecorder recorder) : TestService.TestServiceBase
{
    public override Task<Empty> EmptyCall(Empty request, ServerCallContext context) => Task.FromResult(new Empty());

    [RequiresRole("admin", "auditor")]
    public override Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        recorder.Received.Enqueue("UnaryCall");
        return Task.FromResult(new SimpleResponse { Username = context.GetHttpContext().User.Identity?.Name ?? "" });
    }

    [RequiresRole("admin")]
    public override async Task StreamingOutputCall(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        recorder.Received.Enqueue("StreamingOutputCall");
        await responseStream.WriteAsync(new StreamingOutputCallResponse());
    }

    [RequiresRole("admin")]
    public override async Task<StreamingInputCallResponse> StreamingInputCall(IAsyncStreamReader<StreamingInputCallRequest> requestStream, ServerCallContext context)
    {
        recorder.Received.Enqueue("StreamingInputCall");
        var count = 0;
        await foreach (var _ in requestStream.ReadAllAsync(context.CancellationToken)) count++;
        return new StreamingInputCallResponse { AggregatedPayloadSize = count };
    }

    [RequiresRole("admin")]
    public override async Task FullDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        recorder.Received.Enqueue("FullDuplexCall");
        await foreach (var _ in requestStream.ReadAllAsync(context.CancellationToken)) await responseStream.WriteAsync(new StreamingOutputCallResponse());
    }

    // Refuses synchronously, before any Task exists: the interceptor must turn that into the call's status as well.
    [RequiresRole("admin")]
    public override Task<Empty> UnimplementedCall(Empty request, ServerCallContext context) =>
        throw Platform.Domain.Refusal.NotFound("patient.not-found", "No such patient in your trust.").ToException();
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
    private readonly ProbeRecorder _recorder = new();
    private GrpcTestHost _host = null!;
    private GrpcTestHost _roles = null!;
    private readonly List<ServiceProvider> _clientServices = [];

    public async Task InitializeAsync()
    {
        _host = await StartAsync(app => app.MapGrpcService<SecuredTestService>());
        _roles = await StartAsync(app => app.MapGrpcService<RoleCheckedTestService>());
    }

    public async Task DisposeAsync()
    {
        foreach (var provider in _clientServices) await provider.DisposeAsync();
        await _host.DisposeAsync();
        await _roles.DisposeAsync();
    }

    [Fact]
    public async Task Call_without_credentials_ends_with_unauthenticated()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Client(_host, null).EmptyCallAsync(new Empty()));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Call_with_an_invalid_token_ends_with_unauthenticated()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Client(_host, "mallory").EmptyCallAsync(new Empty()));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Signed_in_caller_without_the_role_gets_permission_denied()
    {
        var alice = Client(_host, "alice");
        Assert.Equal(new Empty(), await alice.EmptyCallAsync(new Empty()));
        var error = await Assert.ThrowsAsync<RpcException>(async () => await alice.UnaryCallAsync(new SimpleRequest()));
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task Caller_with_the_role_is_served_and_the_service_sees_the_user()
    {
        var response = await Client(_host, "admin").UnaryCallAsync(new SimpleRequest());
        Assert.Equal("admin", response.Username);
    }

    [Fact]
    public async Task Refused_call_is_http_401_which_grpc_clients_read_as_unauthenticated()
    {
        // Grpc.AspNetCore leaves a refused call to ASP.NET Core's authorization: HTTP 401 (403 for a missing role), which
        // gRPC's HTTP-to-status mapping (doc/http-grpc-status-mapping.md) gives clients as UNAUTHENTICATED (PERMISSION_DENIED).
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
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_caller_without_one_of_the_methods_roles_is_refused_by_rule_before_the_method_runs()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Client(_roles, "alice").UnaryCallAsync(new SimpleRequest()));
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("This needs the admin or auditor role.", error.Status.Detail);
        Assert.Equal("role.required", error.Trailers.GetValue(RefusalStatus.RuleTrailer));
        var info = error.GetRpcStatus()?.GetDetail<ErrorInfo>();
        Assert.Equal(("role.required", "grpc.testing", "admin,auditor"), (info?.Reason, info?.Domain, info?.Metadata["roles"]));
        Assert.Empty(_recorder.Received);

        Assert.Equal(new Empty(), await Client(_roles, "alice").EmptyCallAsync(new Empty())); // a method without roles
        Assert.Equal("admin", (await Client(_roles, "admin").UnaryCallAsync(new SimpleRequest())).Username);
        Assert.Equal(["UnaryCall"], _recorder.Received);
    }

    [Fact]
    public async Task Each_kind_of_streaming_method_refuses_a_caller_without_its_role_before_it_runs_and_serves_one_with_it()
    {
        var alice = Client(_roles, "alice");
        var admin = Client(_roles, "admin");

        using (var serverStreaming = alice.StreamingOutputCall(new StreamingOutputCallRequest()))
        {
            AssertRoleRefused(await Assert.ThrowsAsync<RpcException>(() => serverStreaming.ResponseStream.MoveNext()));
        }
        using (var clientStreaming = alice.StreamingInputCall())
        {
            // The refusal may arrive before the request is written, and then the write reports it.
            AssertRoleRefused(await Assert.ThrowsAsync<RpcException>(async () =>
            {
                await clientStreaming.RequestStream.WriteAsync(new StreamingInputCallRequest());
                await clientStreaming.RequestStream.CompleteAsync();
                await clientStreaming.ResponseAsync;
            }));
        }
        using (var duplex = alice.FullDuplexCall())
        {
            AssertRoleRefused(await Assert.ThrowsAsync<RpcException>(async () =>
            {
                await duplex.RequestStream.WriteAsync(new StreamingOutputCallRequest());
                await duplex.RequestStream.CompleteAsync();
                await duplex.ResponseStream.MoveNext();
            }));
        }
        Assert.Empty(_recorder.Received);

        using (var serverStreaming = admin.StreamingOutputCall(new StreamingOutputCallRequest()))
        {
            Assert.Single(await serverStreaming.ResponseStream.ReadAllAsync().ToListAsync());
        }
        using (var clientStreaming = admin.StreamingInputCall())
        {
            await clientStreaming.RequestStream.WriteAsync(new StreamingInputCallRequest());
            await clientStreaming.RequestStream.WriteAsync(new StreamingInputCallRequest());
            await clientStreaming.RequestStream.CompleteAsync();
            Assert.Equal(2, (await clientStreaming.ResponseAsync).AggregatedPayloadSize);
        }
        using (var duplex = admin.FullDuplexCall())
        {
            await duplex.RequestStream.WriteAsync(new StreamingOutputCallRequest());
            await duplex.RequestStream.CompleteAsync();
            Assert.Single(await duplex.ResponseStream.ReadAllAsync().ToListAsync());
        }
        Assert.Equal(["StreamingOutputCall", "StreamingInputCall", "FullDuplexCall"], _recorder.Received);
    }

    [Fact]
    public async Task A_refusal_a_handler_throws_before_it_returns_a_task_ends_the_call_with_the_refusals_status()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Client(_roles, "admin").UnimplementedCallAsync(new Empty()));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("patient.not-found", error.Trailers.GetValue(RefusalStatus.RuleTrailer));
        Assert.Equal(("patient.not-found", "grpc.testing"), (error.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason, error.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Domain));
    }

    private static void AssertRoleRefused(RpcException error)
    {
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("This needs the admin role.", error.Status.Detail);
        Assert.Equal("role.required", error.Trailers.GetValue(RefusalStatus.RuleTrailer));
        Assert.Equal("admin", error.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Metadata["roles"]);
    }

    [Fact]
    public async Task Reflection_needs_a_token_and_health_does_not()
    {
        await using var host = await StartAsync(app =>
        {
            app.MapGrpcService<RoleCheckedTestService>();
            app.MapPlatformGrpcEndpoints();
        }, requireSignedInCaller: true);
        using var channel = host.CreateChannel();
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest())).Status);

        using var anonymous = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
        // The refusal may arrive before the request is written; the write then fails, with the call's status or, when
        // it races the call's end, as cancelled. Either way the call's own status is read from the response stream.
        try
        {
            await anonymous.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        }
        catch (RpcException)
        {
        }
        var refused = await Assert.ThrowsAsync<RpcException>(() => anonymous.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);

        using var signedIn = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(new Metadata { { "Authorization", "Bearer alice" } });
        await signedIn.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await signedIn.RequestStream.CompleteAsync();
        Assert.True(await signedIn.ResponseStream.MoveNext());
        Assert.Contains(signedIn.ResponseStream.Current.ListServicesResponse.Service, s => s.Name == "grpc.testing.TestService");
    }

    private Task<GrpcTestHost> StartAsync(Action<WebApplication> map, bool requireSignedInCaller = false) =>
        GrpcTestHost.StartAsync(
            map,
            services: services =>
            {
                services.AddSingleton(_recorder);
                services.AddHealthChecks().AddCheck("self", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());
                services.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, TestBearerHandler>("Test", null);
                services.AddAuthorization(o =>
                {
                    // As the services have it: every endpoint needs a signed-in caller unless it says otherwise.
                    if (requireSignedInCaller) o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
                });
            },
            middleware: app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
            });

    // A client made as the platform makes its clients; each call sends "Bearer <token>", or nothing when null.
    private TestService.TestServiceClient Client(GrpcTestHost host, string? token)
    {
        var services = new ServiceCollection();
        var client = services.AddPlatformGrpcClient<TestService.TestServiceClient>(host.Address, TimeSpan.FromSeconds(30));
        if (token is not null)
        {
            client.AddCallCredentials((_, metadata) =>
            {
                metadata.Add("Authorization", $"Bearer {token}");
                return Task.CompletedTask;
            });
        }

        var provider = services.BuildServiceProvider();
        _clientServices.Add(provider);
        return provider.GetRequiredService<TestService.TestServiceClient>();
    }
}
