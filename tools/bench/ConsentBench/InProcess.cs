using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Application;
using Platform.Consent.Api.Grpc;
using Platform.Consent.Domain;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Tools.ConsentBench;

/// <summary>The decision path timed in process, call by call: the pure rule, the service method, and the service method as a request pays for it.</summary>
public static class InProcess
{
    public sealed record Timing(string Name, Histogram Nanos, int Permits, int Denies);

    public static async Task<List<Timing>> RunAsync(IServiceProvider services, Trust trust, int calls, int seed)
    {
        var rng = new Random(seed);
        // The same mix the load generator sends: a device's own use (90%), or another technology on the ward (10%).
        var picks = new (SeededPatient Patient, Guid Technology, string Ward)[calls];
        for (var i = 0; i < calls; i++)
        {
            var p = trust.Patients[rng.Next(trust.Patients.Length)];
            picks[i] = rng.Next(10) == 0
                ? (p, p.OtherTechnologies[rng.Next(p.OtherTechnologies.Length)], p.Ward)
                : (p, p.Uses[rng.Next(p.Uses.Length)].TechnologyId, p.Ward);
        }

        var results = new List<Timing>();
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Use(Trust.Tenant);
        var store = scope.ServiceProvider.GetRequiredService<PatientRecordsStore>();
        var checker = scope.ServiceProvider.GetRequiredService<UseChecker>();
        var trustSettings = await store.GetTrustAsync();
        var snapshots = new Dictionary<Guid, PatientConsentRecords>();
        foreach (var p in trust.Patients) snapshots[p.Id] = (await store.GetAsync(p.Id))!; // warm: served from the cache
        var now = DateTime.UtcNow;

        // 1. UseCheck.Evaluate: the full snapshot and the trust's 50 approvals; the domain picks the use and its approval.
        var inputs = picks.Select(x => (Records: snapshots[x.Patient.Id], x.Technology, x.Ward)).ToArray();
        for (var round = 0; round < 2; round++) // the first round is warm-up (JIT tiers), the second is measured
        {
            var h = new Histogram();
            int permits = 0, denies = 0;
            foreach (var (records, technology, ward) in inputs)
            {
                var t0 = Stopwatch.GetTimestamp();
                var r = UseCheck.Evaluate(records, technology, ward, UsePurpose.DirectCareOrTreatment, trustSettings.Approvals, trustSettings.Policy, now);
                var t1 = Stopwatch.GetTimestamp();
                h.Record(Nanos(t1 - t0));
                if (r.IsPermitted) permits++; else denies++;
            }
            if (round == 1) results.Add(new Timing("UseCheck.Evaluate (snapshot + the trust's approvals)", h, permits, denies));
        }

        // 2. UseChecker.CheckAsync (what CheckUse calls), warm cache: snapshot and trust from the cache, approval lookup, Evaluate.
        for (var round = 0; round < 2; round++)
        {
            var h = new Histogram();
            int permits = 0, denies = 0;
            foreach (var (patient, technology, ward) in picks)
            {
                var t0 = Stopwatch.GetTimestamp();
                var r = await checker.CheckAsync(patient.Id, technology, ward, UsePurpose.DirectCareOrTreatment);
                var t1 = Stopwatch.GetTimestamp();
                h.Record(Nanos(t1 - t0));
                if (r.Value.IsPermitted) permits++; else denies++;
            }
            if (round == 1) results.Add(new Timing("UseChecker.CheckAsync (warm cache)", h, permits, denies));
        }

        // 3. As a gRPC request pays for it below the transport: a DI scope, the tenant, ConsentGrpcService (its
        //    application services are resolved only when a method needs them), then the UseChecker CheckUse asks for.
        var activate = ActivatorUtilities.CreateFactory(typeof(ConsentGrpcService), Type.EmptyTypes); // as Grpc.AspNetCore's default activator does
        for (var round = 0; round < 2; round++)
        {
            var h = new Histogram();
            int permits = 0, denies = 0;
            foreach (var (patient, technology, ward) in picks)
            {
                var t0 = Stopwatch.GetTimestamp();
                await using (var request = services.CreateAsyncScope())
                {
                    request.ServiceProvider.GetRequiredService<TenantContext>().Use(Trust.Tenant);
                    _ = (ConsentGrpcService)activate(request.ServiceProvider, null);
                    var r = await request.ServiceProvider.GetRequiredService<UseChecker>().CheckAsync(patient.Id, technology, ward, UsePurpose.DirectCareOrTreatment);
                    if (r.Value.IsPermitted) permits++; else denies++;
                }
                var t1 = Stopwatch.GetTimestamp();
                h.Record(Nanos(t1 - t0));
            }
            if (round == 1) results.Add(new Timing("scope + ConsentGrpcService + CheckAsync (per request)", h, permits, denies));
        }
        return results;
    }

    private static long Nanos(long ticks) => (long)(ticks * (1_000_000_000.0 / Stopwatch.Frequency));
}
