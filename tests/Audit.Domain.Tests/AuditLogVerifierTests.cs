using Microsoft.Extensions.Time.Testing;
using Platform.Audit.Domain.Checkpoints;
using Platform.Audit.Domain.Entries;
using Platform.Audit.Domain.Notes;
using Platform.Audit.Domain.Tree;
using Platform.Audit.Domain.Verification;

namespace Platform.Audit.Domain.Tests;

/// <summary>Each kind of tampering with a run of entries is found, at the right entry.</summary>
public sealed class AuditLogVerifierTests : IDisposable
{
    private const string Origin = "audit.platform.example/RX3";
    private readonly NoteSigningKey _key = NoteSigningKey.Generate(Origin, NoteSignatureType.Ed25519);

    public void Dispose() => _key.Dispose();

    internal static AuditEntry Entry(long sequence, string tenant = "RX3") => new(
        Guid.CreateVersion7(), tenant, sequence, "use-check", AuditAction.Execute, AuditOutcome.Success,
        new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero).AddTicks(sequence * 10),
        new AuditAgent($"device-{sequence}", "device", "TREAT"), new AuditEntity($"TechnologyUse/{sequence}", "Consent"), $"Patient/p{sequence % 3}");

    private async Task<(VerifiedCheckpoint, List<CandidateEntry>, MerkleTree)> LogOfAsync(int count)
    {
        var entries = Enumerable.Range(1, count).Select(i => Entry(i)).ToList();
        var tree = new MerkleTree(new InMemoryMerkleNodeStore());
        await tree.AppendAsync(entries.Select(AuditEntryCanonicalForm.LeafHash).ToList());
        var head = await tree.HeadAsync();
        var note = new CheckpointSigner(Origin, _key, new FakeTimeProvider()).Sign(head).Serialize();
        var checkpoint = new CheckpointVerifier(Origin, [_key.Verifier]).Verify(note).Value;
        var candidates = new List<CandidateEntry>();
        foreach (var e in entries)
        {
            candidates.Add(new CandidateEntry(candidates.Count, e, null, await tree.InclusionProofAsync(e.Sequence - 1, head.Size)));
        }

        return (checkpoint, candidates, tree);
    }

    private static List<CandidateEntry> Renumber(IEnumerable<CandidateEntry> entries) => entries.Select((c, i) => c with { Position = i }).ToList();

    [Fact]
    public async Task An_untouched_run_is_intact()
    {
        var (checkpoint, entries, _) = await LogOfAsync(20);

        var report = AuditLogVerifier.VerifyWithProofs(checkpoint, "RX3", 1, 20, entries);

        Assert.True(report.Intact);
        Assert.Equal(20, report.EntriesChecked);
    }

    [Fact]
    public async Task An_altered_entry_is_named()
    {
        var (checkpoint, entries, _) = await LogOfAsync(20);
        entries[6] = entries[6] with { Entry = entries[6].Entry! with { Agent = new AuditAgent("someone-else", "device", "TREAT") } };

        var report = AuditLogVerifier.VerifyWithProofs(checkpoint, "RX3", 1, 20, entries);

        Assert.Equal(new { Kind = BreakKind.Altered, Sequence = 7L, Position = (int?)6 }, new { report.FirstBreak!.Kind, report.FirstBreak.Sequence, report.FirstBreak.Position });
    }

    [Fact]
    public async Task A_deleted_entry_is_named_in_the_middle_and_at_the_end()
    {
        var (checkpoint, entries, _) = await LogOfAsync(20);

        var middle = AuditLogVerifier.VerifyWithProofs(checkpoint, "RX3", 1, 20, Renumber(entries.Where(e => e.Entry!.Sequence != 11)));
        var end = AuditLogVerifier.VerifyWithProofs(checkpoint, "RX3", 1, 20, Renumber(entries.Take(19)));

        Assert.Equal((BreakKind.Deleted, 11L), (middle.FirstBreak!.Kind, middle.FirstBreak.Sequence));
        Assert.Equal((BreakKind.Deleted, 20L), (end.FirstBreak!.Kind, end.FirstBreak.Sequence));
    }

    [Fact]
    public async Task Swapped_entries_are_named_as_reordered()
    {
        var (checkpoint, entries, _) = await LogOfAsync(20);
        (entries[3], entries[4]) = (entries[4], entries[3]);

        var report = AuditLogVerifier.VerifyWithProofs(checkpoint, "RX3", 1, 20, Renumber(entries));

        Assert.Equal((BreakKind.Reordered, 4L), (report.FirstBreak!.Kind, report.FirstBreak.Sequence));
    }

    [Fact]
    public async Task An_inserted_entry_is_named_whether_forged_or_a_copy()
    {
        var (checkpoint, entries, _) = await LogOfAsync(20);
        var forged = new CandidateEntry(0, Entry(9), null, entries[8].InclusionProof);
        var withForgery = Renumber(entries.Take(8).Append(forged).Concat(entries.Skip(8)));
        var withCopy = Renumber(entries.Take(9).Append(entries[8]).Concat(entries.Skip(9)));

        var forgery = AuditLogVerifier.VerifyWithProofs(checkpoint, "RX3", 1, 20, withForgery);
        var copy = AuditLogVerifier.VerifyWithProofs(checkpoint, "RX3", 1, 20, withCopy);

        Assert.Equal((BreakKind.Inserted, 9L, (int?)8), (forgery.FirstBreak!.Kind, forgery.FirstBreak.Sequence, forgery.FirstBreak.Position));
        Assert.Equal((BreakKind.Inserted, 10L, (int?)9), (copy.FirstBreak!.Kind, copy.FirstBreak.Sequence, copy.FirstBreak.Position));
    }

    [Fact]
    public async Task Another_trusts_entry_is_not_accepted_as_this_trusts()
    {
        var (checkpoint, entries, _) = await LogOfAsync(5);
        entries[2] = entries[2] with { Entry = entries[2].Entry! with { Tenant = "RTQ" } };

        var report = AuditLogVerifier.VerifyWithProofs(checkpoint, "RX3", 1, 5, entries);

        Assert.Equal((BreakKind.Altered, 3L), (report.FirstBreak!.Kind, report.FirstBreak.Sequence));
        Assert.Contains("RTQ", report.FirstBreak.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Against_authenticated_leaves_an_altered_entry_is_named_and_altered_leaves_do_not_authenticate()
    {
        var (checkpoint, entries, _) = await LogOfAsync(12);
        var leaves = entries.Select(e => AuditEntryCanonicalForm.LeafHash(e.Entry!)).ToList();
        Assert.True(AuditLogVerifier.LeavesMatchCheckpoint(checkpoint.Checkpoint, leaves));
        entries[10] = entries[10] with { Entry = entries[10].Entry! with { Outcome = AuditOutcome.MajorFailure }, InclusionProof = null };

        var report = AuditLogVerifier.VerifyAgainstLeaves(checkpoint, "RX3", 1, 12, entries, leaves);

        Assert.Equal((BreakKind.Altered, 11L), (report.FirstBreak!.Kind, report.FirstBreak.Sequence));
        leaves[10] = AuditEntryCanonicalForm.LeafHash(entries[10].Entry!);
        Assert.False(AuditLogVerifier.LeavesMatchCheckpoint(checkpoint.Checkpoint, leaves));
    }

    [Fact]
    public async Task Against_authenticated_leaves_renumbered_rows_are_named_as_reordered()
    {
        var (checkpoint, entries, _) = await LogOfAsync(12);
        var leaves = entries.Select(e => AuditEntryCanonicalForm.LeafHash(e.Entry!)).ToList();
        // Rows 3 and 4 swap their sequence numbers, as an UPDATE by the table owner would.
        var third = entries[2].Entry!;
        var fourth = entries[3].Entry!;
        entries[2] = new CandidateEntry(2, fourth with { Sequence = 3 });
        entries[3] = new CandidateEntry(3, third with { Sequence = 4 });

        var report = AuditLogVerifier.VerifyAgainstLeaves(checkpoint, "RX3", 1, 12, entries, leaves);

        Assert.Equal((BreakKind.Reordered, 3L), (report.FirstBreak!.Kind, report.FirstBreak.Sequence));
        Assert.Contains("the log's entry 4", report.FirstBreak.Description, StringComparison.Ordinal);
    }
}
