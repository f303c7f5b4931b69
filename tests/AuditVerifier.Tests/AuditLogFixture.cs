using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Platform.Audit.Domain.Checkpoints;
using Platform.Audit.Domain.Entries;
using Platform.Audit.Domain.Notes;
using Platform.Audit.Domain.Tree;
using Platform.Audit.Domain.Witnessing;
using Platform.Audit.Export;

namespace Platform.Tools.AuditVerifier.Tests;

/// <summary>A trust's log of twelve entries, its signed and witnessed checkpoint, and exports of it.</summary>
public sealed class AuditLogFixture : IAsyncLifetime
{
    public const string Origin = "audit.platform.example/RX3";
    public const int Size = 12;

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));

    public NoteSigningKey LogKey { get; } = NoteSigningKey.Generate(Origin, NoteSignatureType.Ed25519);

    public NoteSigningKey WitnessKey { get; } = NoteSigningKey.Generate("witness.rtq.example", NoteSignatureType.CosignatureV1);

    public List<AuditEntry> Entries { get; } = [];

    public RecordingStore Store { get; } = new();

    public MerkleTree Tree { get; }

    public AuditLogFixture() => Tree = new MerkleTree(Store);

    /// <summary>The checkpoint at <see cref="Size"/>, signed by the log and cosigned by the witness.</summary>
    public SignedNote Checkpoint { get; private set; } = null!;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("audit-verifier-").FullName;

    public static AuditEntry Entry(long sequence, DateTimeOffset at) => new(
        Guid.CreateVersion7(at), "RX3", sequence, sequence % 4 == 0 ? "patient-record-read" : "use-check",
        sequence % 4 == 0 ? AuditAction.Read : AuditAction.Execute, sequence % 5 == 0 ? AuditOutcome.MinorFailure : AuditOutcome.Success,
        AuditEntry.ToMicroseconds(at.AddMilliseconds(sequence * 37.123)),
        new AuditAgent(sequence == 2 ? "O'Brien+Ñ <x>" : $"client-{sequence % 3}", sequence % 4 == 0 ? "clinician" : "device", sequence % 2 == 0 ? "TREAT" : ""),
        new AuditEntity($"TechnologyUse/{sequence}", sequence % 3 == 0 ? "" : "Consent"),
        sequence % 4 == 0 ? $"Patient/p{sequence}" : null,
        sequence % 3 == 1 ? new SourceEvent("/consent", $"evt-{sequence}") : null);

    public async Task InitializeAsync()
    {
        for (var i = 1; i <= Size; i++) Entries.Add(Entry(i, Clock.GetUtcNow()));
        await Tree.AppendAsync(Entries.Select(AuditEntryCanonicalForm.LeafHash).ToList());
        var head = await Tree.HeadAsync();
        var signed = new CheckpointSigner(Origin, LogKey, Clock).Sign(head);
        var witness = new Witness(WitnessKey, new Dictionary<string, IReadOnlyList<NoteVerifierKey>> { [Origin] = [LogKey.Verifier] }, new InMemoryWitnessStateStore(), Clock);
        var answer = await witness.AddCheckpointAsync(0, [], signed.Serialize());
        Checkpoint = signed.Note.With([answer.Cosignature!]);
    }

    public Task DisposeAsync()
    {
        LogKey.Dispose();
        WitnessKey.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Entries first..last exported with their proofs against the checkpoint, as JSON to tamper with.</summary>
    public async Task<JsonObject> ExportAsync(long first = 1, long last = Size, SignedNote? checkpoint = null)
    {
        var proven = new List<ProvenEntry>();
        foreach (var entry in Entries.Where(e => e.Sequence >= first && e.Sequence <= last))
        {
            proven.Add(new ProvenEntry(entry, await Tree.InclusionProofAsync(entry.Sequence - 1, Size)));
        }

        var bundle = AuditExportBundle.Build("RX3", first, last, (checkpoint ?? Checkpoint).Serialize(), proven, Clock.GetUtcNow());
        return JsonNode.Parse(AuditExportBundle.Serialize(bundle))!.AsObject();
    }

    public string Write(JsonNode json, string name = "export.json")
    {
        var path = Path.Combine(Directory, $"{Guid.NewGuid():N}-{name}");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    public string WriteText(string text)
    {
        var path = Path.Combine(Directory, $"{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>An IMerkleNodeStore that remembers every node written, so tests can copy them into a database.</summary>
    public sealed class RecordingStore : IMerkleNodeStore
    {
        private readonly InMemoryMerkleNodeStore _inner = new();

        public List<StoredNode> Written { get; } = [];

        public ValueTask<long> GetSizeAsync(CancellationToken cancellationToken = default) => _inner.GetSizeAsync(cancellationToken);

        public ValueTask<IReadOnlyDictionary<NodeId, byte[]>> ReadAsync(IReadOnlyCollection<NodeId> ids, CancellationToken cancellationToken = default) =>
            _inner.ReadAsync(ids, cancellationToken);

        public async ValueTask AppendAsync(long expectedSize, long newSize, IReadOnlyList<StoredNode> nodes, CancellationToken cancellationToken = default)
        {
            await _inner.AppendAsync(expectedSize, newSize, nodes, cancellationToken);
            Written.AddRange(nodes);
        }
    }
}
