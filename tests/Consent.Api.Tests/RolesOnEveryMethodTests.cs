using System.Reflection;
using Google.Protobuf;
using Grpc.Core;
using Platform.Contracts.Consent.V1;
using Platform.Grpc;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// Least privilege on every method of the contract, found from the service descriptor so that a method added without
/// its role fails here: a device may only ask CheckUse, a ward manager only read the ward's queries.
/// </summary>
public sealed class RolesOnEveryMethodTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private static readonly string[] s_wardManagerMethods = ["ListUses", "ListOverdueReviews", "ListConsentRequired", "ListBlanketUseSignals", "DetectBlanketUse", "CountActiveUses", "DetectBlanketUseForWards", "CountConsentRequired"];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var method in ConsentService.Descriptor.Methods)
        {
            // The region's counts refuse every trust token before its role is looked at ("names no trust"); their
            // roles are checked with region tokens (EveryMethodRefusesEveryWrongRoleTests, RegionalActiveUseCountsGrpcTests).
            if (method.Name is "GetRegionalActiveUseCounts" or "GetRegionalBlanketUseSignals" or "GetRegionalConsentRequiredCounts") continue;
            if (method.Name != "CheckUse") data.Add(method.Name, "device");
            if (!s_wardManagerMethods.Contains(method.Name)) data.Add(method.Name, "ward-manager");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_caller_without_the_methods_role_is_refused_before_anything_happens(string method, string role)
    {
        var client = new ConsentClient(fixture.App, "ROLE1", role);
        var descriptor = ConsentService.Descriptor.FindMethodByName(method);
        var request = (IMessage)Activator.CreateInstance(descriptor.InputType.ClrType)!;
        var call = typeof(ConsentService.ConsentServiceClient).GetMethod(method + "Async",
            [descriptor.InputType.ClrType, typeof(Metadata), typeof(DateTime?), typeof(CancellationToken)])!;
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            dynamic pending = call.Invoke(client.Service, [request, null, null, CancellationToken.None])!;
            await pending.ResponseAsync;
        });
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("role.required", error.Trailers.GetValue(RefusalStatus.RuleTrailer));
    }

    [Fact]
    public void Every_method_of_the_service_carries_a_role()
    {
        var missing = typeof(Grpc.ConsentGrpcService).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.GetBaseDefinition().DeclaringType == typeof(ConsentService.ConsentServiceBase))
            .Where(m => m.GetCustomAttribute<RequiresRoleAttribute>() is null)
            .Select(m => m.Name);
        Assert.Empty(missing);
        Assert.Equal(ConsentService.Descriptor.Methods.Count,
            typeof(Grpc.ConsentGrpcService).GetMethods().Count(m => m.GetBaseDefinition().DeclaringType == typeof(ConsentService.ConsentServiceBase) && m.DeclaringType == typeof(Grpc.ConsentGrpcService)));
    }
}
