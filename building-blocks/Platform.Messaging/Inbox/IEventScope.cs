namespace Platform.Messaging.Inbox;

/// <summary>
/// Prepares the DI scope a delivery runs in, before anything in it (the DbContext, the handler) is resolved or opened:
/// a service uses it to act for the event's tenant (<see cref="EventEnvelope.Tenant"/>), which row-level security
/// reads when the connection opens. Register any number; they run in registration order.
/// </summary>
public interface IEventScope
{
    void Enter(IServiceProvider scope, EventEnvelope envelope);
}
