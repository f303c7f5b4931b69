using Platform.Contracts.Consent.V1;
using Platform.Grpc;
using Grpc.Core;
using Xunit;

namespace Platform.Consent.Api.Tests;

public sealed class BlanketUseGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    [Fact]
    public async Task Most_of_a_ward_started_on_one_technology_with_copied_rationales_raises_both_signals_for_that_trust_only()
    {
        var a = new ConsentClient(fixture.App, "RX3");
        var b = new ConsentClient(fixture.App, "RTQ");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var useIds = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var patient = await a.PatientAsync(AgeBand._26To64, ward: "ASH");
            if (i == 3) continue; // one patient on the ward without it
            await a.HasCapacityAsync(patient, technology);
            await a.ConsentAsync(patient, technology);
            useIds.Add((await a.ActiveUseAsync(patient, technology, ward: "ASH")).UseId); // the same care-plan reason each time
        }

        var signals = (await a.Call(c => c.DetectBlanketUseAsync(new DetectBlanketUseRequest { WardCode = "ASH" }))).Signals;
        var share = Assert.Single(signals, s => s.Kind == BlanketSignalKind.HighShareOfWard);
        Assert.Equal((technology, 3, 4), (share.TechnologyId, share.UseCount, share.PatientsOnWard));
        Assert.Equal(useIds.Order(), share.UseIds.Order());
        var copies = Assert.Single(signals, s => s.Kind == BlanketSignalKind.NearIdenticalRationales);
        Assert.True(copies.HasMinimumSimilarity);
        Assert.False(string.IsNullOrWhiteSpace(copies.Summary));

        var other = await b.Call(c => c.DetectBlanketUseAsync(new DetectBlanketUseRequest { WardCode = "ASH" }));
        Assert.Empty(other.Signals);
        await a.Refused(c => c.DetectBlanketUseAsync(new DetectBlanketUseRequest()), StatusCode.InvalidArgument, "ward-code.required");
    }
}
