using Platform.ServiceDefaults.Auth;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.Grpc;
using Platform.Identity.Api.Application;
using Platform.Identity.Domain;
using Wire = Platform.Contracts.Identity.V1;
using Common = Platform.Contracts.Common.V1;

namespace Platform.Identity.Api.Grpc;

/// <summary>
/// platform.identity.v1.DirectoryService: maps messages to the <see cref="TrustDirectory"/>'s commands and back. The
/// region's methods take a region token (a region role and no tenant, <see cref="RegionCallerPolicy.Name"/>); the
/// ward methods take a token of the trust whose wards they are (the platform's fallback policy: exactly one trust).
/// </summary>
public sealed class DirectoryGrpcService(TrustDirectory directory) : Wire.DirectoryService.DirectoryServiceBase
{
    [Authorize(Policy = RegionCallerPolicy.Name)]
    [RequiresRole(Roles.RegionOperator)]
    public override async Task<Wire.OnboardTrustResponse> OnboardTrust(Wire.OnboardTrustRequest request, ServerCallContext context)
    {
        var onboarded = (await directory.OnboardTrustAsync(request.OdsCode, request.Name,
            request.IdentityProviders.Select(ToCommand).ToList(), request.Clients.Select(ToCommand).ToList(), context.CancellationToken)).OrThrow();
        var response = new Wire.OnboardTrustResponse { Trust = ToMessage(onboarded.Trust) };
        response.IdentityProviders.AddRange(onboarded.IdentityProviders.Select(ToMessage));
        response.Clients.AddRange(onboarded.Clients.Select(ToMessage));
        return response;
    }

    [Authorize(Policy = RegionCallerPolicy.Name)]
    [RequiresRole(Roles.RegionOperator)]
    public override async Task<Wire.Trust> ChangeTrust(Wire.ChangeTrustRequest request, ServerCallContext context)
    {
        var status = request.HasStatus ? (TrustStatus?)(TrustStatus)request.Status : null;
        return ToMessage((await directory.ChangeTrustAsync(request.OdsCode, request.HasName ? request.Name : null, status, context.CancellationToken)).OrThrow());
    }

    [Authorize(Policy = RegionCallerPolicy.Name)]
    [RequiresRole(Roles.RegionOperator, Roles.RegionAnalyst)]
    public override async Task<Wire.ListTrustsResponse> ListTrusts(Wire.ListTrustsRequest request, ServerCallContext context)
    {
        var response = new Wire.ListTrustsResponse();
        response.Trusts.AddRange((await directory.ListTrustsAsync(context.CancellationToken)).Select(ToMessage));
        return response;
    }

    [Authorize(Policy = RegionCallerPolicy.Name)]
    [RequiresRole(Roles.RegionOperator)]
    public override async Task<Wire.TrustDetail> GetTrust(Wire.GetTrustRequest request, ServerCallContext context)
    {
        var view = (await directory.GetTrustAsync(request.OdsCode, context.CancellationToken)).OrThrow();
        var detail = new Wire.TrustDetail { Trust = ToMessage(view.Trust) };
        detail.IdentityProviders.AddRange(view.IdentityProviders.Select(ToMessage));
        detail.Clients.AddRange(view.Clients.Select(ToMessage));
        return detail;
    }

    [Authorize(Policy = RegionCallerPolicy.Name)]
    [RequiresRole(Roles.RegionOperator)]
    public override async Task<Wire.RegisteredClient> RegisterClient(Wire.RegisterClientRequest request, ServerCallContext context) =>
        ToMessage((await directory.RegisterClientAsync(request.OdsCode, ToCommand(request), context.CancellationToken)).OrThrow());

    [Authorize(Policy = RegionCallerPolicy.Name)]
    [RequiresRole(Roles.RegionOperator)]
    public override async Task<Wire.RegisteredClient> ResetClientSecret(Wire.ResetClientSecretRequest request, ServerCallContext context) =>
        ToMessage((await directory.ResetClientSecretAsync(request.ClientId, context.CancellationToken)).OrThrow());

    [Authorize(Policy = RegionCallerPolicy.Name)]
    [RequiresRole(Roles.RegionOperator)]
    public override async Task<Wire.RemoveClientResponse> RemoveClient(Wire.RemoveClientRequest request, ServerCallContext context)
    {
        (await directory.RemoveClientAsync(request.ClientId, context.CancellationToken)).OrThrow();
        return new Wire.RemoveClientResponse();
    }

    [Authorize(Policy = RegionCallerPolicy.Name)]
    [RequiresRole(Roles.RegionOperator)]
    public override async Task<Wire.IdentityProvider> RegisterIdentityProvider(Wire.RegisterIdentityProviderRequest request, ServerCallContext context) =>
        ToMessage((await directory.RegisterIdentityProviderAsync(request.OdsCode, ToCommand(request), context.CancellationToken)).OrThrow());

    [Authorize(Policy = RegionCallerPolicy.Name)]
    [RequiresRole(Roles.RegionOperator)]
    public override async Task<Wire.RemoveIdentityProviderResponse> RemoveIdentityProvider(Wire.RemoveIdentityProviderRequest request, ServerCallContext context)
    {
        (await directory.RemoveIdentityProviderAsync(request.IdentityProviderId, context.CancellationToken)).OrThrow();
        return new Wire.RemoveIdentityProviderResponse();
    }

    [RequiresRole(Roles.TrustAdmin)]
    public override async Task<Wire.Ward> RegisterWard(Wire.RegisterWardRequest request, ServerCallContext context) =>
        ToMessage((await directory.RegisterWardAsync(new RegisterWard(request.WardCode, request.Name, (WardSetting)request.Setting, request.Beds), context.CancellationToken)).OrThrow());

    [RequiresRole(Roles.TrustAdmin)]
    public override async Task<Wire.Ward> ChangeWard(Wire.ChangeWardRequest request, ServerCallContext context) =>
        ToMessage((await directory.ChangeWardAsync(new ChangeWard(request.WardCode, request.HasName ? request.Name : null,
            request.HasSetting ? (WardSetting)request.Setting : null, request.HasBeds ? request.Beds : null, request.HasClosed ? request.Closed : null), context.CancellationToken)).OrThrow());

    // Every role of a trust may see its wards: the ward list is what clients offer their users to choose from.
    [RequiresRole(Roles.Clinician, Roles.WardManager, Roles.Device, Roles.ProcurementLead, Roles.IgLead, Roles.ClinicalSafetyOfficer,
        Roles.EvidenceReviewer, Roles.Auditor, Roles.TrustAdmin, Roles.PlatformOperator)]
    public override async Task<Wire.ListWardsResponse> ListWards(Wire.ListWardsRequest request, ServerCallContext context)
    {
        var response = new Wire.ListWardsResponse();
        response.Wards.AddRange((await directory.ListWardsAsync(context.CancellationToken)).Select(ToMessage));
        return response;
    }

    private static NewClient ToCommand(Wire.RegisterClientRequest r) =>
        new(r.ClientId, (ClientKind)r.Kind, r.DisplayName, [.. r.Roles], [.. r.Scopes], r.JwksJson, r.AllowTokenExchange);

    private static NewIdentityProvider ToCommand(Wire.RegisterIdentityProviderRequest r) =>
        new(r.DisplayName, r.Issuer, r.Audience, r.JwksUri, [.. r.RoleMappings.Select(m => new RoleMapping(m.ClaimType, m.ClaimValue, m.Role))]);

    private static Wire.Trust ToMessage(Data.Trust t) => new() { OdsCode = t.OdsCode, Name = t.Name, Status = (Wire.TrustStatus)t.Status };

    private static Wire.Ward ToMessage(Data.Ward w) =>
        new() { WardCode = w.Code, Name = w.Name, Setting = (Common.WardSetting)w.Setting, Beds = w.Beds, Closed = w.Closed };

    private static Wire.Client ToMessage(Data.ClientBinding c)
    {
        var message = new Wire.Client
        {
            ClientId = c.ClientId, OdsCode = c.OdsCode ?? "", Kind = (Wire.ClientKind)c.Kind, DisplayName = c.DisplayName, UsesPrivateKeyJwt = c.UsesPrivateKeyJwt,
        };
        message.Roles.AddRange(c.Roles.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        message.Scopes.AddRange(c.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return message;
    }

    private static Wire.RegisteredClient ToMessage(RegisteredClient c) => new() { Client = ToMessage(c.Client), ClientSecret = c.Secret ?? "" };

    private static Wire.IdentityProvider ToMessage(Data.TrustedIdentityProvider p)
    {
        var message = new Wire.IdentityProvider
        {
            IdentityProviderId = p.Id.ToString(), OdsCode = p.OdsCode, DisplayName = p.DisplayName, Issuer = p.Issuer, Audience = p.Audience, JwksUri = p.JwksUri,
        };
        message.RoleMappings.AddRange(p.RoleMappings.Select(m => new Wire.RoleMapping { ClaimType = m.ClaimType, ClaimValue = m.ClaimValue, Role = m.Role }));
        return message;
    }
}
