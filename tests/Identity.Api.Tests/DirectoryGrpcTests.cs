using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Platform.Identity.Domain;
using Xunit;
using Wire = Platform.Contracts.Identity.V1;
using WardSetting = Platform.Contracts.Common.V1.WardSetting;

namespace Platform.Identity.Api.Tests;

/// <summary>
/// The directory over gRPC, as the region operator and a trust's admin use it with tokens from this token service:
/// the region's methods take a region token with the method's role, the ward methods a token of the trust with its
/// role, and every other token is refused with PERMISSION_DENIED saying why.
/// </summary>
public sealed class DirectoryGrpcTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private GrpcChannel Channel() => GrpcChannel.ForAddress(fixture.App.GrpcAddress);

    private static CallOptions As(string token) =>
        new(new Metadata { { "Authorization", $"Bearer {token}" } }, DateTime.UtcNow.AddSeconds(30));

    private Task<string> RegionOperatorAsync() => fixture.ClientTokenAsync(IdentityFixture.OperatorClientId, IdentityFixture.OperatorSecret);

    private async Task<string> RegionClientTokenAsync(string role)
    {
        using var channel = Channel();
        var directory = new Wire.DirectoryService.DirectoryServiceClient(channel);
        var registered = await directory.RegisterClientAsync(new Wire.RegisterClientRequest { Kind = Wire.ClientKind.Region, Roles = { role } }, As(await RegionOperatorAsync()));
        return await fixture.ClientTokenAsync(registered.Client.ClientId, registered.ClientSecret);
    }

    /// <summary>Onboards <paramref name="ods"/> over gRPC with one client per role set; returns a token for each.</summary>
    private async Task<string[]> OnboardOverGrpcAsync(string ods, params (Wire.ClientKind Kind, string[] Roles)[] clients)
    {
        using var channel = Channel();
        var request = new Wire.OnboardTrustRequest { OdsCode = ods, Name = $"Trust {ods}" };
        request.Clients.AddRange(clients.Select(c => new Wire.RegisterClientRequest { Kind = c.Kind, Roles = { c.Roles } }));
        var onboarded = await new Wire.DirectoryService.DirectoryServiceClient(channel).OnboardTrustAsync(request, As(await RegionOperatorAsync()));
        Assert.Equal((ods, Wire.TrustStatus.Active), (onboarded.Trust.OdsCode, onboarded.Trust.Status));
        var tokens = new List<string>();
        foreach (var client in onboarded.Clients) tokens.Add(await fixture.ClientTokenAsync(client.Client.ClientId, client.ClientSecret));
        return [.. tokens];
    }

    [Fact]
    public async Task The_region_operator_onboards_a_trust_whose_admin_registers_wards_that_another_trust_never_sees()
    {
        var (adminA, adminB) = (await OnboardOverGrpcAsync("DGA1", (Wire.ClientKind.Integration, [Roles.TrustAdmin])) is [var a] ? a : throw new InvalidOperationException(),
            await OnboardOverGrpcAsync("DGA2", (Wire.ClientKind.Integration, [Roles.TrustAdmin])) is [var b] ? b : throw new InvalidOperationException());
        using var channel = Channel();
        var directory = new Wire.DirectoryService.DirectoryServiceClient(channel);

        var oak = await directory.RegisterWardAsync(new Wire.RegisterWardRequest { WardCode = "oak", Name = "Oak Ward", Setting = WardSetting.AcuteAdult, Beds = 18 }, As(adminA));
        Assert.Equal(("OAK", WardSetting.AcuteAdult), (oak.WardCode, oak.Setting));
        Assert.Equal(["OAK"], (await directory.ListWardsAsync(new Wire.ListWardsRequest(), As(adminA))).Wards.Select(w => w.WardCode));

        Assert.Empty((await directory.ListWardsAsync(new Wire.ListWardsRequest(), As(adminB))).Wards);
        var guessed = await Assert.ThrowsAsync<RpcException>(() => directory.ChangeWardAsync(new Wire.ChangeWardRequest { WardCode = "OAK", Closed = true }, As(adminB)).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, guessed.StatusCode);

        var bad = await Assert.ThrowsAsync<RpcException>(() => directory.RegisterWardAsync(new Wire.RegisterWardRequest { WardCode = "ASH", Name = "Ash", Setting = WardSetting.Picu, Beds = 0 }, As(adminA)).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Equal("beds.range", bad.Trailers.GetValue("platform-refusal-rule"));
        Assert.Equal(["OAK"], (await directory.ListWardsAsync(new Wire.ListWardsRequest(), As(adminA))).Wards.Select(w => w.WardCode));
    }

    [Fact]
    public async Task The_roles_of_the_procurement_and_evidence_follow_up_are_issued_to_a_trusts_clients_and_region_analyst_to_a_region_client()
    {
        string[] trustRoles = [Roles.IgLead, Roles.ClinicalSafetyOfficer, Roles.EvidenceReviewer, Roles.WardManager];
        var tokens = await OnboardOverGrpcAsync("DGR1", (Wire.ClientKind.Epr, trustRoles));
        var trustToken = new JsonWebToken(Assert.Single(tokens));
        Assert.Equal(trustRoles.Order(), trustToken.Claims.Where(c => c.Type == "roles").Select(c => c.Value).Order());
        Assert.Equal(["DGR1"], trustToken.Claims.Where(c => c.Type == "tenant").Select(c => c.Value));

        var analyst = new JsonWebToken(await RegionClientTokenAsync(Roles.RegionAnalyst));
        Assert.Equal([Roles.RegionAnalyst], analyst.Claims.Where(c => c.Type == "roles").Select(c => c.Value));
        Assert.DoesNotContain(analyst.Claims, c => c.Type == "tenant");

        // A region role is never held for a trust.
        using var channel = Channel();
        var regionOperator = await RegionOperatorAsync();
        var refused = await Assert.ThrowsAsync<RpcException>(() => new Wire.DirectoryService.DirectoryServiceClient(channel).RegisterClientAsync(
            new Wire.RegisterClientRequest { OdsCode = "DGR1", Kind = Wire.ClientKind.Epr, Roles = { Roles.RegionAnalyst } }, As(regionOperator)).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "roles.not-allowed"), (refused.StatusCode, refused.Trailers.GetValue("platform-refusal-rule")));
    }

    /// <summary>Each method of the contract: whether it is the region's (else a trust's ward method), and the roles it takes.</summary>
    private static readonly Dictionary<string, (bool Region, string[] Roles)> s_methods = new()
    {
        ["OnboardTrust"] = (true, [Roles.RegionOperator]),
        ["ChangeTrust"] = (true, [Roles.RegionOperator]),
        ["ListTrusts"] = (true, [Roles.RegionOperator, Roles.RegionAnalyst]),
        ["GetTrust"] = (true, [Roles.RegionOperator]),
        ["RegisterClient"] = (true, [Roles.RegionOperator]),
        ["ResetClientSecret"] = (true, [Roles.RegionOperator]),
        ["RemoveClient"] = (true, [Roles.RegionOperator]),
        ["RegisterIdentityProvider"] = (true, [Roles.RegionOperator]),
        ["RemoveIdentityProvider"] = (true, [Roles.RegionOperator]),
        ["RegisterWard"] = (false, [Roles.TrustAdmin]),
        ["ChangeWard"] = (false, [Roles.TrustAdmin]),
        ["ListWards"] = (false, [.. Roles.TrustRoles]),
    };

    [Fact]
    public async Task Every_method_refuses_a_token_without_its_role_and_a_token_of_the_wrong_kind_region_or_trust()
    {
        var methods = Wire.DirectoryService.Descriptor.Methods;
        Assert.Equal(s_methods.Keys.Order(), methods.Select(m => m.Name).Order());

        var regionOperator = await RegionOperatorAsync();
        var platformOperator = await RegionClientTokenAsync(Roles.PlatformOperator);
        var tokens = await OnboardOverGrpcAsync("DGM1", (Wire.ClientKind.Integration, [Roles.TrustAdmin]), (Wire.ClientKind.Device, [Roles.Device]));
        var (trustAdmin, device) = (tokens[0], tokens[1]);

        using var channel = Channel();
        var invoker = channel.CreateCallInvoker();
        foreach (var method in methods)
        {
            var (region, roles) = s_methods[method.Name];
            var (allowed, wrongKind, wrongRole) = region
                ? (regionOperator, trustAdmin, platformOperator)
                : (trustAdmin, regionOperator, roles.Contains(Roles.Device) ? null : device);

            var kind = await CallAsync(invoker, method, wrongKind) ?? throw new Xunit.Sdk.XunitException($"{method.Name} accepted a token of the wrong kind.");
            Assert.True(kind.StatusCode == StatusCode.PermissionDenied, $"{method.Name} with a {(region ? "trust's" : "region")} token: {kind.Status}");
            Assert.Contains(region ? "region's directory methods take a region client's token" : "names no trust", kind.Status.Detail);

            if (wrongRole is not null)
            {
                var role = await CallAsync(invoker, method, wrongRole) ?? throw new Xunit.Sdk.XunitException($"{method.Name} accepted a token without its role.");
                Assert.True(role.StatusCode == StatusCode.PermissionDenied, $"{method.Name} without its role: {role.Status}");
                Assert.Equal("role.required", role.Trailers.GetValue("platform-refusal-rule"));
            }

            // The right token passes the door; the empty request may then be refused by the method's own rules, naming the field, never with an unhandled error.
            var right = await CallAsync(invoker, method, allowed);
            Assert.True(right is null || right.StatusCode is not (StatusCode.PermissionDenied or StatusCode.Unauthenticated or StatusCode.Unknown), $"{method.Name} with its role: {right?.Status}");
        }
    }

    // Calls a method of the contract by its descriptor with an empty request; the refusal, or null if it succeeded.
    private static async Task<RpcException?> CallAsync(CallInvoker invoker, Google.Protobuf.Reflection.MethodDescriptor method, string token)
    {
        var parser = method.OutputType.Parser;
        var call = new Method<IMessage, IMessage>(MethodType.Unary, method.Service.FullName, method.Name,
            Marshallers.Create<IMessage>(m => m.ToByteArray(), method.InputType.Parser.ParseFrom),
            Marshallers.Create<IMessage>(m => m.ToByteArray(), parser.ParseFrom));
        try
        {
            await invoker.AsyncUnaryCall(call, null, As(token), (IMessage)Activator.CreateInstance(method.InputType.ClrType)!);
            return null;
        }
        catch (RpcException e)
        {
            return e;
        }
    }
}
