namespace Platform.Messaging.Inbox;

/// <summary>
/// Prepares the DI scope a delivery runs in, before anything in it (the DbContext, the handler) is resolved or opened:
/// a service uses it to act for the event's tenant (<see cref="EventEnvelope.Tenant"/>), which row-level security
/// reads when the connection opens. Register any number; they run in registration order. A bulk delivery enters one scope
/// per tenant, with the envelope of that tenant's first event: every event handled in the scope has that same tenant.
/// </summary>
public interface IEventScope
{
    void Enter(IServiceProvider scope, EventEnvelope envelope);
}
