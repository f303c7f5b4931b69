using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Application;
using Platform.Consent.Api.Data;
using Platform.Contracts.Consent.V1;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// The queries a ward runs on (issue 17), as a ward manager sees them: uses by patient and by ward with state, basis
/// and review due, overdue reviews, consent required after capacity was regained, blanket-use signals with their
/// evidence; cursor paging; another trust sees nothing.
/// </summary>
public sealed class WardQueriesGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private async Task SetReviewDateAsync(string tenant, string useId, DateTime due) =>
        await fixture.App.InTenantAsync(tenant, async sp =>
        {
            var db = sp.GetRequiredService<ConsentDbContext>();
            var use = await db.TechnologyUses.SingleAsync(u => u.Id == Guid.Parse(useId));
            use.CarePlan.NextReviewDate = due;
            await db.SaveChangesAsync();
            sp.GetRequiredService<PatientRecordsStore>().InvalidatePatient(use.PatientId);
            return 0;
        });

    [Fact]
    public async Task A_ward_manager_pages_through_the_wards_uses_and_sees_state_basis_and_review_and_another_trust_sees_none()
    {
        var clinician = new ConsentClient(fixture.App, "QRY1");
        var manager = new ConsentClient(fixture.App, "QRY1", "ward-manager");
        var technology = (await clinician.ApproveAsync()).TechnologyId;
        var useIds = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var patient = await clinician.PatientAsync(AgeBand._26To64, ward: "LARCH");
            await clinician.HasCapacityAsync(patient, technology);
            await clinician.ConsentAsync(patient, technology);
            useIds.Add((await clinician.ActiveUseAsync(patient, technology, ward: "LARCH")).UseId);
        }
        await SetReviewDateAsync("QRY1", useIds[1], DateTime.UtcNow.AddDays(-5));

        var first = await manager.Call(c => c.ListUsesAsync(new ListUsesRequest { WardCode = "larch", PageSize = 2 }));
        Assert.Equal(2, first.Uses.Count);
        Assert.NotEmpty(first.NextPageToken);
        var second = await manager.Call(c => c.ListUsesAsync(new ListUsesRequest { WardCode = "LARCH", PageSize = 2, PageToken = first.NextPageToken }));
        Assert.Empty(second.NextPageToken);
        var all = first.Uses.Concat(second.Uses).ToList();
        Assert.Equal(useIds, all.Select(u => u.Use.UseId));
        Assert.All(all, u => Assert.Equal((UseStatus.Active, LawfulBasisKind.OwnConsent), (u.Use.Status, u.Use.LawfulBasis)));
        var overdue = all.Single(u => u.ReviewOverdue);
        Assert.Equal((useIds[1], UseCheckDecision.Deny), (overdue.Use.UseId, overdue.Check));
        Assert.Contains("use-check.review-overdue", overdue.DenyRules);

        var overdueList = await manager.Call(c => c.ListOverdueReviewsAsync(new ListOverdueReviewsRequest { WardCode = "LARCH" }));
        Assert.Equal([useIds[1]], overdueList.Uses.Select(u => u.Use.UseId));

        var byPatient = await manager.Call(c => c.ListUsesAsync(new ListUsesRequest { PatientId = all[0].Use.PatientId }));
        Assert.Equal([useIds[0]], byPatient.Uses.Select(u => u.Use.UseId));

        // A ward manager reads; they keep no records.
        await manager.Refused(c => c.EndUseAsync(new EndUseRequest { UseId = useIds[0], Reason = UseEndReason.NoLongerNeeded }), StatusCode.PermissionDenied, "role.required");
        await manager.Refused(c => c.ListUsesAsync(new ListUsesRequest { WardCode = "LARCH", PatientId = all[0].Use.PatientId }), StatusCode.InvalidArgument, "list-uses.scope");
        await manager.Refused(c => c.ListUsesAsync(new ListUsesRequest { WardCode = "LARCH", PageToken = "bogus" }), StatusCode.InvalidArgument, "page-token.format");

        var other = new ConsentClient(fixture.App, "QRY2", "ward-manager");
        Assert.Empty((await other.Call(c => c.ListUsesAsync(new ListUsesRequest { WardCode = "LARCH" }))).Uses);
        Assert.Empty((await other.Call(c => c.ListOverdueReviewsAsync(new ListOverdueReviewsRequest()))).Uses);
        await other.Refused(c => c.ListUsesAsync(new ListUsesRequest { PatientId = all[0].Use.PatientId }), StatusCode.NotFound, "patient.not-found");
    }

    [Fact]
    public async Task Uses_in_consent_required_after_capacity_was_regained_are_listed_with_their_deadline()
    {
        var a = new ConsentClient(fixture.App, "QRY3");
        var manager = new ConsentClient(fixture.App, "QRY3", "ward-manager");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.LacksCapacityAsync(patient, technology, at: DateTime.UtcNow.AddDays(-2));
        await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(patient, technology, at: DateTime.UtcNow.AddDays(-2).AddHours(1))));
        var use = await a.ActiveUseAsync(patient, technology);
        var steady = await a.PatientAsync(AgeBand._26To64);
        await a.LacksCapacityAsync(steady, technology, at: DateTime.UtcNow.AddDays(-2));
        await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(steady, technology, at: DateTime.UtcNow.AddDays(-2).AddHours(1))));
        await a.ActiveUseAsync(steady, technology);
        Assert.Empty((await manager.Call(c => c.ListConsentRequiredAsync(new ListConsentRequiredRequest { WardCode = "OAK" }))).Uses);

        var regained = DateTime.UtcNow.AddMinutes(-5);
        await a.HasCapacityAsync(patient, technology, regained);
        var listed = Assert.Single((await manager.Call(c => c.ListConsentRequiredAsync(new ListConsentRequiredRequest { WardCode = "OAK" }))).Uses);
        Assert.Equal((use.UseId, false), (listed.Use.UseId, listed.PastDue));
        Assert.Equal(regained.AddHours(12), listed.ConsentRequiredBy.ToDateTime(), TimeSpan.FromSeconds(1)); // the 12-hour default grace
    }

    [Fact]
    public async Task Blanket_use_signals_raised_by_the_sweep_are_listed_with_the_uses_they_rest_on()
    {
        var a = new ConsentClient(fixture.App, "QRY4");
        var manager = new ConsentClient(fixture.App, "QRY4", "ward-manager");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var useIds = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var patient = await a.PatientAsync(AgeBand._26To64, ward: "HOLLY");
            await a.HasCapacityAsync(patient, technology);
            await a.ConsentAsync(patient, technology);
            useIds.Add((await a.ActiveUseAsync(patient, technology, ward: "HOLLY")).UseId);
        }
        await fixture.App.Services.GetRequiredService<ConsentScheduler>().SweepAsync();

        var signals = (await manager.Call(c => c.ListBlanketUseSignalsAsync(new ListBlanketUseSignalsRequest { WardCode = "HOLLY" }))).Signals;
        Assert.NotEmpty(signals);
        Assert.All(signals, s => Assert.Equal(("HOLLY", technology), (s.WardCode, s.TechnologyId)));
        Assert.Contains(signals, s => s.Kind == BlanketSignalKind.HighShareOfWard && s.UseIds.Order().SequenceEqual(useIds.Order()));
        Assert.Empty((await new ConsentClient(fixture.App, "QRY5", "ward-manager").Call(c => c.ListBlanketUseSignalsAsync(new ListBlanketUseSignalsRequest()))).Signals);
    }
}
