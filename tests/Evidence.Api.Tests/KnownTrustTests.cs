using Platform.Testing;
using Xunit;

namespace Platform.Evidence.Api.Tests;

/// <summary>The evidence service acts only for trusts the directory onboarded, one at a time (tests/Platform.Testing/KnownTrustChecks).</summary>
public sealed class KnownTrustTests(EvidenceServiceFixture fixture) : IClassFixture<EvidenceServiceFixture>
{
    [Fact]
    public Task A_token_of_an_unknown_trust_or_of_two_trusts_or_none_or_from_another_issuer_is_refused() =>
        KnownTrustChecks.UnknownDoubleAndForeignTokensAreRefusedAsync(fixture.App);

    [Fact]
    public Task A_trust_is_accepted_once_its_onboarding_event_arrives_and_refused_again_once_suspended() =>
        KnownTrustChecks.ATrustIsKnownFromItsOnboardingEventUntilSuspendedAsync(fixture.App, "KTE1");

    [Fact]
    public Task A_grpc_call_with_a_token_of_an_unknown_or_suspended_trust_is_permission_denied_saying_why() =>
        KnownTrustChecks.UnknownAndSuspendedTrustsAreRefusedOverGrpcAsync(fixture.App, "/platform.evidence.v1.EvidenceService/ListEvidenceItems", "KTE2");
}
