using Platform.Testing;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// Issue 21: every gRPC method this service maps, called with every role it does not name and with none, is refused
/// with PERMISSION_DENIED (role.required). Methods come from the running app, so new ones are covered as they land.
/// </summary>
public class EveryMethodRefusesEveryWrongRoleTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    // A method without [RequiresRole] must be listed here with its reason; an entry whose method gains a role fails
    // the test until it is taken off.
    private static readonly Dictionary<string, string> s_noRoleOnPurpose = new()
    {

    };

    [Fact]
    public async Task Every_method_refuses_a_caller_without_one_of_its_roles()
    {
        // The region's counts take a region token (no trust); every other method a trust's.
        var findings = await WrongRoleCalls.FindingsAsync(fixture.App.Services, fixture.App.GrpcAddress, "RX3", s_noRoleOnPurpose,
            tenantOf: method => method.Name is "GetRegionalActiveUseCounts" or "GetRegionalBlanketUseSignals" or "GetRegionalConsentRequiredCounts" ? null : "RX3");
        Assert.True(findings.Count == 0, string.Join(Environment.NewLine, findings));
    }
}
