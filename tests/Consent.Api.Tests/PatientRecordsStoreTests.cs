using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Application;
using Platform.Contracts.Consent.V1;
using Grpc.Core;
using Xunit;

namespace Platform.Consent.Api.Tests;

public sealed class PatientRecordsStoreTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private Task<T> InTenant<T>(string tenant, Func<PatientRecordsStore, Task<T>> work) =>
        fixture.App.InTenantAsync(tenant, sp => work(sp.GetRequiredService<PatientRecordsStore>()));

    [Fact]
    public async Task A_snapshot_is_served_from_the_cache_until_a_write_for_that_patient_replaces_it()
    {
        var a = new ConsentClient(fixture.App, "RX3");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        var id = Guid.Parse(patient);

        var first = await InTenant("RX3", s => s.GetAsync(id));
        var again = await InTenant("RX3", s => s.GetAsync(id));
        Assert.NotNull(first);
        Assert.Same(first, again);
        Assert.Empty(first.CapacityAssessments);

        await a.HasCapacityAsync(patient, technology);
        var after = await InTenant("RX3", s => s.GetAsync(id));
        Assert.NotSame(first, after);
        Assert.Single(after!.CapacityAssessments);
        Assert.Empty(first.CapacityAssessments); // the old snapshot was replaced, never changed under a reader
    }

    [Fact]
    public async Task Another_trust_never_gets_a_cached_snapshot_of_this_trusts_patient()
    {
        var a = new ConsentClient(fixture.App, "RX3");
        var patient = Guid.Parse(await a.PatientAsync(AgeBand._26To64));
        Assert.NotNull(await InTenant("RX3", s => s.GetAsync(patient))); // cached for RX3 now
        Assert.Null(await InTenant("RTQ", s => s.GetAsync(patient)));
    }
}
