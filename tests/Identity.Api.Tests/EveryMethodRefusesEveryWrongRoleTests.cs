using Microsoft.AspNetCore.Authorization;
using Platform.Identity.Api.Grpc;
using Platform.Testing;
using Xunit;

namespace Platform.Identity.Api.Tests;

/// <summary>
/// Issue 21: every gRPC method of the directory, called with every role it does not name and with none, is refused with
/// PERMISSION_DENIED (role.required). The identity service here validates the shared test issuer's tokens (as every
/// other service's fixture does), so a token can carry any role; the role checks are the same attributes either way.
/// </summary>
public sealed class EveryMethodRefusesEveryWrongRoleTests : IAsyncLifetime
{
    private readonly string _protectionKeys = Directory.CreateTempSubdirectory("identity-dp-").FullName;
    private ServiceFactory<Program> _app = null!;

    public async Task InitializeAsync() =>
        _app = await ServiceFactory<Program>.StartOnPostgresAsync("identity", new Dictionary<string, string?>
        {
            ["Identity:AllowHttp"] = "true",
            ["Identity:SigningKeys:ProtectionKeysDirectory"] = _protectionKeys,
        }, addressed: http => new Dictionary<string, string?> { ["Identity:Issuer"] = http.AbsoluteUri });

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_protectionKeys, recursive: true);
    }

    [Fact]
    public async Task Every_method_refuses_a_caller_without_one_of_its_roles()
    {
        // The region's methods take a region token (no trust): their calls carry one, so the role is what is refused.
        var findings = await WrongRoleCalls.FindingsAsync(_app.Services, _app.GrpcAddress, "RX3", tenantOf: method => IsRegionMethod(method) ? null : "RX3");
        Assert.True(findings.Count == 0, string.Join(Environment.NewLine, findings));
    }

    private static bool IsRegionMethod(WrongRoleCalls.MappedMethod method) =>
        method.ServiceType.GetMethod(method.Name)?.GetCustomAttributes(typeof(AuthorizeAttribute), inherit: true)
            .Cast<AuthorizeAttribute>().Any(a => a.Policy == Platform.ServiceDefaults.Auth.RegionCallerPolicy.Name) == true;

    [Fact]
    public void The_region_methods_are_found_by_their_policy()
    {
        Assert.True(IsRegionMethod(new WrongRoleCalls.MappedMethod("platform.identity.v1.DirectoryService", "OnboardTrust", global::Grpc.Core.MethodType.Unary, typeof(DirectoryGrpcService), ["region-operator"])));
        Assert.False(IsRegionMethod(new WrongRoleCalls.MappedMethod("platform.identity.v1.DirectoryService", "RegisterWard", global::Grpc.Core.MethodType.Unary, typeof(DirectoryGrpcService), ["trust-admin"])));
    }
}
