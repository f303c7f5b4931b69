using System.Text.Json.Nodes;
using Platform.Audit.Domain.Checkpoints;
using Platform.Audit.Domain.Notes;
using Platform.Audit.Domain.Tree;

namespace Platform.Tools.AuditVerifier.Tests;

/// <summary>The verifier over exported bundles: each kind of tampering is caught at the entry where it happened.</summary>
public sealed class BundleVerificationTests(AuditLogFixture log) : IClassFixture<AuditLogFixture>
{
    private string[] Keys => ["--key", log.LogKey.Verifier.ToString(), "--key", log.WitnessKey.Verifier.ToString()];

    private static JsonArray Items(JsonObject bundle) => bundle["entry"]!.AsArray();

    /// <summary>The AuditEvent of the bundle entry at <paramref name="position"/> (1-based, after the Parameters).</summary>
    private static JsonObject Event(JsonObject bundle, int position) => Items(bundle)[position]!["resource"]!.AsObject();

    private Task<VerifierRun> Verify(JsonObject bundle, params string[] extra) => VerifierRun.RunAsync(["bundle", log.Write(bundle), .. Keys, .. extra]);

    [Fact]
    public async Task An_untouched_export_verifies_with_its_witness_cosignature()
    {
        var run = await Verify(await log.ExportAsync());

        Assert.Equal(ExitCodes.Intact, run.ExitCode);
        Assert.Contains("INTACT: all 12 entries are the ones the log signed", run.Output, StringComparison.Ordinal);
        Assert.Contains("Witness:      witness.rtq.example+", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_altered_entry_is_named()
    {
        var bundle = await log.ExportAsync();
        Event(bundle, 5)["agent"]![0]!["who"]!["identifier"]!["value"] = "someone-else";

        var run = await Verify(bundle);

        Assert.Equal(ExitCodes.Broken, run.ExitCode);
        Assert.Contains($"BROKEN at entry 5 (position 5, id {log.Entries[4].Id:D}): altered.", run.Output, StringComparison.Ordinal);
        Assert.Contains("The 4 entries before it verified.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_altered_time_is_named()
    {
        var bundle = await log.ExportAsync();
        var recorded = log.Entries[8].Recorded.AddSeconds(-1);
        Event(bundle, 9)["recorded"] = recorded.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", System.Globalization.CultureInfo.InvariantCulture);

        var run = await Verify(bundle);

        Assert.Contains("BROKEN at entry 9 (position 9", run.Output, StringComparison.Ordinal);
        Assert.Contains("altered", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_entry_is_named()
    {
        var bundle = await log.ExportAsync();
        Items(bundle).RemoveAt(6);

        var run = await Verify(bundle);

        Assert.Equal(ExitCodes.Broken, run.ExitCode);
        Assert.Contains("BROKEN at entry 6 (position 6): deleted.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_last_entry_is_named()
    {
        var bundle = await log.ExportAsync();
        Items(bundle).RemoveAt(12);

        var run = await Verify(bundle);

        Assert.Contains("BROKEN at entry 12 (the end): deleted.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reordered_entries_are_named()
    {
        var bundle = await log.ExportAsync();
        var third = Items(bundle)[3]!;
        Items(bundle).RemoveAt(3);
        Items(bundle).Insert(4, third);

        var run = await Verify(bundle);

        Assert.Equal(ExitCodes.Broken, run.ExitCode);
        Assert.Contains($"BROKEN at entry 3 (position 3, id {log.Entries[2].Id:D}): reordered.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_inserted_entry_is_named()
    {
        var bundle = await log.ExportAsync();
        var forged = Items(bundle)[7]!.DeepClone();
        forged["resource"]!["id"] = Guid.NewGuid().ToString("D");
        forged["resource"]!["agent"]![0]!["who"]!["identifier"]!["value"] = "nobody";
        Items(bundle).Insert(7, forged);

        var run = await Verify(bundle);

        Assert.Equal(ExitCodes.Broken, run.ExitCode);
        Assert.Contains("BROKEN at entry 7 (position 7", run.Output, StringComparison.Ordinal);
        Assert.Contains("inserted", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_entry_that_is_no_longer_an_AuditEvent_of_ours_is_named_with_what_is_wrong()
    {
        var bundle = await log.ExportAsync();
        Event(bundle, 10).Remove("agent");

        var run = await Verify(bundle);

        Assert.Contains("BROKEN at entry 10 (position 10", run.Output, StringComparison.Ordinal);
        Assert.Contains("exactly one agent", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_part_of_the_log_verifies_and_says_which_part()
    {
        var run = await Verify(await log.ExportAsync(first: 4, last: 9));

        Assert.Equal(ExitCodes.Intact, run.ExitCode);
        Assert.Contains("Entries:      4 to 9 of 12 (6 in the export)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_checkpoint_signed_by_a_key_not_given_is_refused()
    {
        using var stranger = NoteSigningKey.Generate(AuditLogFixture.Origin, NoteSignatureType.Ed25519);
        var run = await VerifierRun.RunAsync("bundle", log.Write(await log.ExportAsync()), "--key", stranger.Verifier.ToString());

        Assert.Equal(ExitCodes.Broken, run.ExitCode);
        Assert.Contains("the export's checkpoint is not to be trusted: The note has no signature from a trusted key.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_key_rotation_the_old_and_new_keys_together_verify_and_the_old_alone_does_not()
    {
        using var newKey = NoteSigningKey.Generate(AuditLogFixture.Origin, NoteSignatureType.Ed25519);
        var head = new TreeHead(AuditLogFixture.Size, await log.Tree.RootAsync(AuditLogFixture.Size));
        var rotated = new CheckpointSigner(AuditLogFixture.Origin, newKey, log.Clock).Sign(head).Note;
        var path = log.Write(await log.ExportAsync(checkpoint: rotated));

        var both = await VerifierRun.RunAsync("bundle", path, "--key", log.LogKey.Verifier.ToString(), "--key", newKey.Verifier.ToString());
        var oldOnly = await VerifierRun.RunAsync("bundle", path, "--key", log.LogKey.Verifier.ToString());

        Assert.Equal(ExitCodes.Intact, both.ExitCode);
        Assert.Contains($"by key {AuditLogFixture.Origin}+{newKey.KeyId:x8}", both.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Broken, oldOnly.ExitCode);
    }

    [Fact]
    public async Task A_checkpoint_without_the_required_witness_cosignature_is_refused()
    {
        var head = new TreeHead(AuditLogFixture.Size, await log.Tree.RootAsync(AuditLogFixture.Size));
        var unwitnessed = new CheckpointSigner(AuditLogFixture.Origin, log.LogKey, log.Clock).Sign(head).Note;

        var run = await Verify(await log.ExportAsync(checkpoint: unwitnessed));

        Assert.Equal(ExitCodes.Broken, run.ExitCode);
        Assert.Contains("0 valid witness cosignature(s); 1 are required", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_held_checkpoint_of_the_same_size_with_another_root_is_reported_as_a_split_view()
    {
        var other = new CheckpointSigner(AuditLogFixture.Origin, log.LogKey, log.Clock).Sign(new TreeHead(AuditLogFixture.Size, MerkleHash.Leaf([7]))).Note;
        var cosigned = other.With([Cosignature.Sign(log.WitnessKey, other.Text, log.Clock.GetUtcNow())]);

        var run = await Verify(await log.ExportAsync(), "--checkpoint", log.WriteText(cosigned.Serialize()));

        Assert.Equal(ExitCodes.Broken, run.ExitCode);
        Assert.Contains("SPLIT VIEW: the log signed two different trees of 12 entries", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_an_export_is_unusable_and_says_why()
    {
        var run = await VerifierRun.RunAsync(["bundle", log.WriteText("{\"resourceType\":\"Patient\"}"), .. Keys]);

        Assert.Equal(ExitCodes.Unusable, run.ExitCode);
        Assert.Contains("The export cannot be read", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_that_is_not_a_verifier_key_is_unusable_and_names_it()
    {
        var run = await VerifierRun.RunAsync("bundle", log.Write(await log.ExportAsync()), "--key", "not-a-key");

        Assert.Equal(ExitCodes.Unusable, run.ExitCode);
        Assert.Contains("'not-a-key' is not a verifier key", run.Output, StringComparison.Ordinal);
    }
}
