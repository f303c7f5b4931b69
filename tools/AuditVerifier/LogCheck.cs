using Platform.Audit.Domain.Checkpoints;
using Platform.Audit.Domain.Entries;
using Platform.Audit.Domain.Verification;
using Platform.Audit.Export;

namespace Platform.Tools.AuditVerifier;

/// <summary>Exit codes: the log verified; it is broken (or its checkpoint is not to be trusted); the input could not be read.</summary>
public static class ExitCodes
{
    public const int Intact = 0;
    public const int Broken = 1;
    public const int Unusable = 2;
}

/// <summary>The two checks the command line offers, written as a report a Caldicott guardian can read.</summary>
internal sealed class LogCheck(TrustedKeys keys, int requiredCosignatures, TextWriter output)
{
    private readonly CheckpointVerifier _verifier = new(keys.Origin, keys.LogKeys, keys.WitnessKeys, requiredCosignatures);

    public async Task<int> BundleAsync(string path, string? heldCheckpointPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) return Unusable($"The export {path} does not exist.");
        var export = AuditExportBundle.Read(await File.ReadAllTextAsync(path, cancellationToken));
        if (export.IsRefused) return Unusable($"The export cannot be read: {export.Refusal!.Message}");
        var bundle = export.Value;

        output.WriteLine($"Log:          {keys.Origin} (trust {keys.Tenant})");
        var checkpoint = _verifier.Verify(bundle.Checkpoint);
        if (checkpoint.IsRefused) return Broken($"the export's checkpoint is not to be trusted: {checkpoint.Refusal!.Message}");
        Describe(checkpoint.Value);
        if (await CompareHeldCheckpointAsync(checkpoint.Value, heldCheckpointPath, cancellationToken) is { } refused) return refused;
        if (bundle.Tenant != keys.Tenant) return Broken($"the export says it holds trust {bundle.Tenant}'s entries, but the keys are of trust {keys.Tenant}'s log.");
        var size = checkpoint.Value.Checkpoint.Size;
        if (bundle.FirstSequence < 1 || bundle.LastSequence > size || bundle.LastSequence < bundle.FirstSequence - 1)
        {
            return Broken($"the export claims entries {bundle.FirstSequence} to {bundle.LastSequence}, which the signed tree of {size} cannot hold.");
        }

        output.WriteLine($"Entries:      {bundle.FirstSequence} to {bundle.LastSequence} of {size} ({bundle.Entries.Count} in the export)");
        return Report(AuditLogVerifier.VerifyWithProofs(checkpoint.Value, keys.Tenant, bundle.FirstSequence, bundle.LastSequence, bundle.Entries));
    }

    public async Task<int> DatabaseAsync(IAuditLogDatabase database, string? heldCheckpointPath, long? first, long? last, CancellationToken cancellationToken)
    {
        output.WriteLine($"Log:          {keys.Origin} (trust {keys.Tenant})");
        string? note;
        if (heldCheckpointPath is not null)
        {
            if (!File.Exists(heldCheckpointPath)) return Unusable($"The checkpoint file {heldCheckpointPath} does not exist.");
            note = await File.ReadAllTextAsync(heldCheckpointPath, cancellationToken);
        }
        else
        {
            note = await database.ReadLatestCheckpointAsync(keys.Tenant, cancellationToken);
            if (note is null) return Broken("the database holds no checkpoint for this trust; give one with --checkpoint.");
        }

        var checkpoint = _verifier.Verify(note);
        if (checkpoint.IsRefused) return Broken($"the checkpoint is not to be trusted: {checkpoint.Refusal!.Message}");
        Describe(checkpoint.Value);
        var size = checkpoint.Value.Checkpoint.Size;
        var from = first ?? 1;
        var to = last ?? size;
        if (from < 1 || to > size || to < from - 1) return Unusable($"Entries {from} to {to} are not within the signed tree of {size}.");
        output.WriteLine($"Entries:      {from} to {to} of {size}");

        var entries = await database.ReadEntriesAsync(keys.Tenant, from, to, cancellationToken);
        var leaves = await database.ReadLeafHashesAsync(keys.Tenant, size, cancellationToken);
        if (AuditLogVerifier.LeavesMatchCheckpoint(checkpoint.Value.Checkpoint, leaves))
        {
            return Report(AuditLogVerifier.VerifyAgainstLeaves(checkpoint.Value, keys.Tenant, from, to, entries, leaves));
        }

        // The tree table no longer reproduces the signed root, so its leaves prove nothing. Point at the first row
        // whose hash differs from its stored leaf as the likely place, and say that the tree was altered too.
        output.WriteLine("Tree:         the stored Merkle tree does NOT reproduce the signed root: its rows were altered or removed.");
        var suspect = entries.FirstOrDefault(e => e.Entry is null
            || e.Entry.Check() is not null
            || e.Entry.Sequence - 1 >= leaves.Count
            || !leaves[(int)(e.Entry.Sequence - 1)].AsSpan().SequenceEqual(AuditEntryCanonicalForm.LeafHash(e.Entry)));
        return Broken(suspect is null
            ? "the entries agree with the stored tree, but neither matches what the log signed."
            : $"the first entry that disagrees with the stored tree is at position {suspect.Position + 1} (sequence {suspect.Entry?.Sequence.ToString() ?? "unreadable"}).");
    }

    private async Task<int?> CompareHeldCheckpointAsync(VerifiedCheckpoint exported, string? heldCheckpointPath, CancellationToken cancellationToken)
    {
        if (heldCheckpointPath is null) return null;
        if (!File.Exists(heldCheckpointPath)) return Unusable($"The checkpoint file {heldCheckpointPath} does not exist.");
        var held = _verifier.Verify(await File.ReadAllTextAsync(heldCheckpointPath, cancellationToken));
        if (held.IsRefused) return Broken($"the checkpoint you hold is not to be trusted: {held.Refusal!.Message}");
        var (a, b) = (held.Value.Checkpoint, exported.Checkpoint);
        if (a.Size == b.Size && !a.RootHash.AsSpan().SequenceEqual(b.RootHash))
        {
            return Broken($"SPLIT VIEW: the log signed two different trees of {a.Size} entries (the one you hold and the export's).");
        }

        if (a.Size != b.Size) return Unusable($"The export was proved against a tree of {b.Size} entries; you hold a checkpoint of {a.Size}. Export against the checkpoint you hold.");
        return null;
    }

    private void Describe(VerifiedCheckpoint checkpoint)
    {
        var c = checkpoint.Checkpoint;
        output.WriteLine($"Checkpoint:   {c.Size} entries, root {Convert.ToBase64String(c.RootHash)}, signed {c.Time:yyyy-MM-dd'T'HH:mm:ss'Z'} by key {checkpoint.LogKey.Name}+{checkpoint.LogKey.KeyId:x8}");
        foreach (var cosignature in checkpoint.Cosignatures)
        {
            output.WriteLine($"Witness:      {cosignature.Key.Name}+{cosignature.Key.KeyId:x8} cosigned at {cosignature.Timestamp:yyyy-MM-dd'T'HH:mm:ss'Z'}");
        }
    }

    private int Report(LogVerificationReport report)
    {
        if (report.FirstBreak is not { } found)
        {
            output.WriteLine($"Result:       INTACT: all {report.EntriesChecked} entries are the ones the log signed, in order, none missing.");
            return ExitCodes.Intact;
        }

        var where = found.Position is { } position ? $"position {position + 1}" : "the end";
        var id = found.EntryId is { } entryId ? $", id {entryId:D}" : "";
        output.WriteLine($"Result:       BROKEN at entry {found.Sequence} ({where}{id}): {found.Kind.ToString().ToLowerInvariant()}.");
        output.WriteLine($"              {found.Description}");
        output.WriteLine($"              The {report.EntriesChecked} entries before it verified.");
        return ExitCodes.Broken;
    }

    private int Broken(string message)
    {
        output.WriteLine($"Result:       BROKEN: {message}");
        return ExitCodes.Broken;
    }

    private int Unusable(string message)
    {
        output.WriteLine($"Error:        {message}");
        return ExitCodes.Unusable;
    }
}
