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

    /// <summary>
    /// Issue 19: a trust-wide list on a cold cache loads its patients together (one query per record kind), not one by
    /// one; what it loads must be what each patient's own load gives, for this trust's patients only.
    /// </summary>
    [Fact]
    public async Task Patients_loaded_together_get_the_snapshot_each_gets_alone_and_another_trusts_patient_gets_none()
    {
        var a = new ConsentClient(fixture.App, "RX3");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var withRecords = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(withRecords, technology);
        await a.ConsentAsync(withRecords, technology);
        await a.ActiveUseAsync(withRecords, technology);
        var bare = await a.PatientAsync(AgeBand._26To64);
        var another = Guid.Parse(await new ConsentClient(fixture.App, "RTQ").PatientAsync(AgeBand._26To64));
        Guid[] ours = [Guid.Parse(withRecords), Guid.Parse(bare)];

        var together = await InTenant("RX3", s => s.GetManyAsync([.. ours, another, Guid.NewGuid(), ours[0]]));

        Assert.Equal(ours.Order(), together.Keys.Order());
        Assert.Single(together[ours[0]].CapacityAssessments);
        Assert.Single(together[ours[0]].OwnConsents);
        Assert.Single(together[ours[0]].Uses);
        Assert.Same(together[ours[1]], await InTenant("RX3", s => s.GetAsync(ours[1]))); // cached as a single load caches
        foreach (var id in ours)
        {
            var alone = await InTenant("RX3", s =>
            {
                s.InvalidatePatient(id);
                return s.GetAsync(id);
            });
            Assert.Equal(Json(alone!), Json(together[id]));
        }
    }

    private static string Json(Platform.Consent.Domain.PatientConsentRecords records) =>
        System.Text.Json.JsonSerializer.Serialize(records, new System.Text.Json.JsonSerializerOptions { ReferenceHandler = System.Text.Json.Serialization.ReferenceHandler.IgnoreCycles });
}
