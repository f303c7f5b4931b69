namespace Platform.Gateway.Limits;

/// <summary>A number of requests allowed in each fixed window.</summary>
public sealed class RateLimitRule
{
    public int Permits { get; set; }

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Configuration section <c>Gateway:RateLimits</c>: per trust (all its clients together) and per client.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Gateway:RateLimits";

    public bool Enabled { get; set; } = true;

    /// <summary>Every caller of one trust together (the token's tenant).</summary>
    public RateLimitRule PerTrust { get; set; } = new() { Permits = 6000 };

    /// <summary>One client (the token's client_id, else its subject) of one trust.</summary>
    public RateLimitRule PerClient { get; set; } = new() { Permits = 1200 };

    /// <summary>
    /// The share of a limit one replica leases from Redis at a time and spends locally (ADR 0020, amendment on leases): fewer round trips,
    /// at the price of up to one unspent lease per other replica when a window's budget runs out. 0 asks Redis on
    /// every request.
    /// </summary>
    public double LeaseFraction { get; set; } = 0.02;

    /// <summary>The most requests one lease takes, whatever the limit.</summary>
    public int MaxLease { get; set; } = 100;
}

/// <summary>Configuration section <c>Gateway:Idempotency</c>.</summary>
public sealed class IdempotencyOptions
{
    public const string Section = "Gateway:Idempotency";

    /// <summary>How long the first response to a key is replayed.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a key stays claimed by a request still under way. A request that never finishes (its replica died)
    /// frees its key after this, so keep it above the longest route timeout.
    /// </summary>
    public TimeSpan InProgressLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The largest request or response body kept for a key; a write larger than this cannot carry a key.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>gRPC methods whose names start with one of these read and never write, so a key on them is ignored.</summary>
    public string[] ReadMethodPrefixes { get; set; } = ["Get", "List", "Check", "Detect"];
}
