using Platform.Audit.Domain.Checkpoints;
using Platform.Audit.Domain.Notes;
using Platform.Domain;

namespace Platform.Audit.Api.Checkpoints;

/// <summary>The <c>Audit</c> configuration section. Private keys come from the secret store, never from appsettings.</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>The deployment's log name prefix; a trust's origin is this, '/', its ODS code.</summary>
    public string Origin { get; set; } = "audit.platform.local";

    /// <summary>ODS code → the trust's log signing key (<c>PRIVATE+KEY+origin+keyid+...</c>). Rotation: replace it.</summary>
    public Dictionary<string, string> LogKeys { get; set; } = [];

    /// <summary>Verifier keys served besides the current ones (older keys still verifying older checkpoints).</summary>
    public List<string> PublishedKeys { get; set; } = [];

    /// <summary>This service's cosignature/v1 key, when it witnesses other logs.</summary>
    public string? WitnessKey { get; set; }

    /// <summary>The witnesses this service asks to cosign its trusts' checkpoints.</summary>
    public List<WitnessEndpoint> Witnesses { get; set; } = [];

    /// <summary>The logs this service witnesses: origin and verifier keys.</summary>
    public List<FollowedLog> FollowedLogs { get; set; } = [];

    /// <summary>How often the checkpointer looks for grown trees.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The checkpointer's hosted loop (tests of other things turn it off and sign when they choose).</summary>
    public bool CheckpointerEnabled { get; set; } = true;
}

public sealed class WitnessEndpoint
{
    public string Name { get; set; } = "";

    /// <summary>The witness's add-checkpoint URL.</summary>
    public string Url { get; set; } = "";

    /// <summary>Its cosignature/v1 verifier key.</summary>
    public string Key { get; set; } = "";
}

public sealed class FollowedLog
{
    public string Origin { get; set; } = "";
    public List<string> Keys { get; set; } = [];
}

/// <summary>The parsed keys: each trust's checkpoint signer, the witness, the followed logs. Read once at start.</summary>
public sealed class AuditKeys : IDisposable
{
    private readonly Dictionary<string, CheckpointSigner> _signers = new(StringComparer.Ordinal);
    private readonly List<NoteSigningKey> _owned = [];

    public AuditKeys(Microsoft.Extensions.Options.IOptions<AuditOptions> options, TimeProvider clock)
    {
        var o = options.Value;
        Deployment = o.Origin;
        foreach (var (tenant, secret) in o.LogKeys)
        {
            var key = NoteSigningKey.Parse(secret);
            _owned.Add(key);
            _signers[tenant] = new CheckpointSigner(LogOrigin.For(o.Origin, tenant), key, clock);
        }

        if (!string.IsNullOrWhiteSpace(o.WitnessKey))
        {
            WitnessSigningKey = NoteSigningKey.Parse(o.WitnessKey);
            _owned.Add(WitnessSigningKey);
        }

        Published = [.. _signers.Values.Select(s => s.VerifierKey), .. o.PublishedKeys.Select(NoteVerifierKey.Parse)];
        Witnesses = o.Witnesses.Select(w => (w, NoteVerifierKey.Parse(w.Key))).ToList();
        FollowedLogs = o.FollowedLogs.ToDictionary(l => l.Origin, l => (IReadOnlyList<NoteVerifierKey>)l.Keys.Select(NoteVerifierKey.Parse).ToList(), StringComparer.Ordinal);
    }

    public string Deployment { get; }

    public IReadOnlyList<NoteVerifierKey> Published { get; }

    public NoteSigningKey? WitnessSigningKey { get; }

    public IReadOnlyList<(WitnessEndpoint Endpoint, NoteVerifierKey Key)> Witnesses { get; }

    public IReadOnlyDictionary<string, IReadOnlyList<NoteVerifierKey>> FollowedLogs { get; }

    public string OriginOf(string tenant) => LogOrigin.For(Deployment, tenant);

    public CheckpointSigner? SignerFor(string tenant) => _signers.GetValueOrDefault(tenant);

    /// <summary>The verifier keys of one trust's log (current and published older ones).</summary>
    public IReadOnlyList<NoteVerifierKey> LogKeysOf(string tenant)
    {
        var origin = OriginOf(tenant);
        return Published.Where(k => k.Name == origin).ToList();
    }

    public void Dispose()
    {
        foreach (var key in _owned) key.Dispose();
    }
}
