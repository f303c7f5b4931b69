namespace Platform.Messaging;

/// <summary>Settings of Platform.Messaging, bound from the <c>Messaging</c> configuration section.</summary>
public sealed class MessagingOptions
{
    /// <summary>The publishing service (<c>consent</c>); CloudEvent source is <c>/&lt;service&gt;</c>.</summary>
    public string ServiceName { get; set; } = "";

    /// <summary>Name of the Dapr pub/sub component (<c>pubsub</c>).</summary>
    public string PubSubName { get; set; } = "pubsub";

    /// <summary>
    /// The token a delivery must carry in the <c>dapr-api-token</c> header: configuration <c>APP_API_TOKEN</c> in
    /// Kubernetes, or <c>Messaging:AppApiToken</c> (the local runner's per-run token). With neither set, every
    /// delivery is refused.
    /// </summary>
    public string? AppApiToken { get; set; }

    /// <summary>Route prefix of the event endpoints (<c>/events</c>).</summary>
    public string RoutePrefix { get; set; } = "/events";

    public RelayOptions Relay { get; set; } = new();
    public DaprOptions Dapr { get; set; } = new();

    /// <summary>What this app's <c>GET /dapr/subscribe</c> advertises for batched delivery (<c>Messaging:BulkSubscribe</c>).</summary>
    public BulkSubscribeOptions BulkSubscribe { get; set; } = new();

    /// <summary>How <see cref="Outbox.IOutboxGroupCommit"/> groups concurrent callers' events (<c>Messaging:GroupCommit</c>).</summary>
    public GroupCommitOptions GroupCommit { get; set; } = new();
}

/// <summary>
/// The group commit of events that go with no state change (<c>Messaging:GroupCommit</c>): a write takes every event of
/// a tenant waiting when the previous write ends, at most <see cref="MaxBatch"/>; none waits longer than
/// <see cref="MaxDelay"/> for a write to start.
/// </summary>
public sealed class GroupCommitOptions
{
    public int MaxBatch { get; set; } = 64;

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Whether a row is written at once when none of its tenant's writes is in flight (no wait when idle).</summary>
    public bool WriteAtOnceWhenIdle { get; set; } = true;
}

/// <summary>
/// Dapr bulk subscribe for this app's event routes (<c>Messaging:BulkSubscribe</c>): each topic subscription advertises
/// <c>bulkSubscribe</c>, so the sidecar (or the local relay) may deliver up to <see cref="MaxMessagesCount"/> events
/// per request (Dapr.AspNetCore's <c>WithBulkSubscribe</c>). The routes accept single CloudEvents as well, whatever this says.
/// </summary>
public sealed class BulkSubscribeOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Most events per delivery; each tenant's share of a delivery is handled in one transaction.</summary>
    public int MaxMessagesCount { get; set; } = 100;

    /// <summary>How long the sidecar may wait to fill a delivery (bounds the latency a batch adds).</summary>
    public int MaxAwaitDurationMs { get; set; } = 100;
}

/// <summary>Outbox relay settings (<c>Messaging:Relay</c>).</summary>
public sealed class RelayOptions
{
    /// <summary>Set false in an app that only subscribes, or to run the relay elsewhere.</summary>
    public bool Enabled { get; set; } = true;
    public int BatchSize { get; set; } = 500;

    /// <summary>How many aggregates (subjects) are sent concurrently; events of one subject always go one by one.</summary>
    public int MaxParallelism { get; set; } = 32;
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// One relay per database sends at a time; it holds a lease row that it renews every batch. When its process dies
    /// another instance takes over once the lease has run out.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Sent outbox rows are deleted after this long (they are kept a while for diagnosis).</summary>
    public TimeSpan SentRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Inbox rows are deleted after this long. It must exceed the longest time a redelivery can arrive (broker retention,
    /// an outbox held back by an outage); after it a redelivered event would be handled again.
    /// </summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the relay purges old outbox and inbox rows.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Backlog older than this makes the readiness check report Degraded.</summary>
    public TimeSpan DegradedBacklogAge { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Publishing through the Dapr sidecar (<c>Messaging:Dapr</c>) with Dapr.Client, which speaks gRPC to it
/// (<c>dapr.proto.runtime.v1.Dapr/PublishEvent</c>).
/// </summary>
public sealed class DaprOptions
{
    /// <summary>
    /// The sidecar's gRPC endpoint, e.g. <c>http://127.0.0.1:50001</c>. Unset, Dapr.Client's own defaults apply:
    /// <c>DAPR_GRPC_ENDPOINT</c>, else <c>DAPR_GRPC_PORT</c> on localhost, else port 50001.
    /// </summary>
    public string? GrpcEndpoint { get; set; }

    /// <summary>Token for the sidecar's API (<c>DAPR_API_TOKEN</c>), sent as <c>dapr-api-token</c> when set.</summary>
    public string? ApiToken { get; set; }

    /// <summary>Optional message time-to-live, sent as the publish metadata <c>ttlInSeconds</c>.</summary>
    public int? TtlInSeconds { get; set; }

    /// <summary>
    /// Publish through the sidecar's bulk API (<c>BulkPublishEventAsync</c>), up to <see cref="BulkPublishMaxCount"/>
    /// events per call. Bulk publish does not keep order, so a call never holds two events of one subject. Off by
    /// default, as before the SDK (ADR 0005).
    /// </summary>
    public bool BulkPublish { get; set; }
    public int BulkPublishMaxCount { get; set; } = 100;
}
