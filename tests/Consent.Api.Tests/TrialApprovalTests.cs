using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Platform.Contracts.Consent.V1;
using Platform.Messaging.CloudEvents;
using Platform.Testing;
using Xunit;
using Procurement = Platform.Contracts.Procurement.V1;

namespace Platform.Consent.Api.Tests;

/// <summary>A trial approval from procurement stands until its end, and no longer, even before the withdrawal event arrives.</summary>
public sealed class TrialApprovalTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    [Fact]
    public async Task A_trial_whose_end_has_passed_is_treated_as_withdrawn_and_a_full_approval_lifts_the_end()
    {
        var a = new ConsentClient(fixture.App, "TRL1");
        var technology = Guid.NewGuid().ToString();
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology);
        await a.ConsentAsync(patient, technology);

        // The trial ended a minute ago; procurement's withdrawal has not arrived yet.
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await Deliver(Approved(technology, DateTime.UtcNow.AddMinutes(-1)), "TRL1", "trl-trial-1"));
        await a.Refused(c => c.ProposeUseAsync(ConsentClient.Use(patient, technology)), StatusCode.FailedPrecondition, "use.approval-withdrawn");

        // The full approval that follows a trial has no end: uses may start.
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await Deliver(Approved(technology, null), "TRL1", "trl-full-1"));
        await a.ActiveUseAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology)).Decision);
    }

    private static Procurement.TechnologyApproved Approved(string technology, DateTime? trialEndsAt)
    {
        var message = new Procurement.TechnologyApproved
        {
            TechnologyId = technology, Name = "mood diary", ProcurementCaseId = "case-t", TrialOnly = trialEndsAt is not null,
            TrialEndsAt = trialEndsAt is { } end ? Timestamp.FromDateTime(end) : null,
            Actor = new Platform.Contracts.Common.V1.Actor { Subject = "lead-7", Role = "procurement-lead" },
        };
        message.SettingCodes.Add(ConsentClient.Setting);
        return message;
    }

    private async Task<(HttpStatusCode, string?)> Deliver<T>(T message, string tenant, string id) where T : IMessage<T>
    {
        using var http = fixture.App.CreateHttpClient();
        var name = EventName.For(message.Descriptor);
        var route = await SidecarDelivery.RouteForAsync(http, name.Topic);
        return await SidecarDelivery.DeliverAsync(http, route, new CloudEvent
        {
            Id = id, Source = "/procurement", Type = name.Type, Subject = "case-t", Time = DateTimeOffset.UtcNow, Tenant = tenant,
            DataJson = JsonFormatter.Default.Format(message),
        }.ToJson());
    }
}
