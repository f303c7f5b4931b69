using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Audit.Api.Data;
using Platform.Audit.Api.Tree;
using Platform.Audit.Domain.Checkpoints;
using Platform.Audit.Domain.Notes;
using Platform.Audit.Domain.Tree;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Audit.Api.Checkpoints;

/// <summary>
/// Signs a checkpoint for every trust whose tree grew, then asks each configured witness to cosign it
/// (c2sp.org/tlog-witness add-checkpoint). Sizes come from the stored tree heads, so entries committed just before a
/// crash are checkpointed after the restart.
/// </summary>
public sealed class Checkpointer(IServiceScopeFactory scopes, AuditKeys keys, IHttpClientFactory http, AuditMetrics metrics, ILogger<Checkpointer> logger)
{
    public const string WitnessClient = "audit-witnesses";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, long> _signed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _warnedNoKey = new(StringComparer.Ordinal);

    /// <summary>One round: returns how many checkpoints it signed.</summary>
    public async Task<int> CheckpointAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            List<TreeHeadRow> heads;
            await using (var scope = scopes.CreateAsyncScope())
            {
                heads = await scope.ServiceProvider.GetRequiredService<AuditDbContext>().TreeHeads.AsNoTracking().OrderBy(h => h.TenantId).ToListAsync(cancellationToken);
            }

            var signed = 0;
            foreach (var head in heads)
            {
                if (_signed.TryGetValue(head.TenantId, out var done) && done == head.TreeSize) continue;
                try
                {
                    if (await CheckpointTrustAsync(head.TenantId, cancellationToken)) signed++;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    // One trust's fault (its rows, its database) must not leave the other trusts' logs unsigned: it is
                    // logged, and tried again next round (its size is not remembered as signed).
                    logger.LogError(ex, "Checkpoint for trust {Tenant} failed; tried again next round", head.TenantId);
                }
            }

            return signed;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<bool> CheckpointTrustAsync(string tenant, CancellationToken cancellationToken)
    {
        if (keys.SignerFor(tenant) is not { } signer)
        {
            if (_warnedNoKey.TryAdd(tenant, true)) logger.LogError("No audit log key is configured for trust {Tenant}: its checkpoints cannot be signed", tenant);
            return false;
        }

        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Use(tenant);
        var db = scope.ServiceProvider.GetRequiredService<AuditDbContext>();
        var tree = new MerkleTree(new DatabaseMerkleNodeStore(db, tenant));
        if (!_signed.ContainsKey(tenant))
        {
            var adopted = await scope.ServiceProvider.GetRequiredService<Application.AuditLog>().AdoptUntreedEntriesAsync(logger, cancellationToken);
            if (adopted > 0) logger.LogInformation("Put {Count} earlier entries of trust {Tenant} into its tree", adopted, tenant);
        }

        var head = await tree.HeadAsync(cancellationToken);
        if (head.Size == 0)
        {
            _signed[tenant] = 0;
            return false;
        }

        var latest = await db.Checkpoints.AsNoTracking().MaxAsync(c => (long?)c.TreeSize, cancellationToken) ?? 0;
        var signedNow = false;
        if (latest < head.Size)
        {
            var checkpoint = signer.Sign(head);
            db.Checkpoints.Add(new CheckpointRow
            {
                TenantId = tenant, TreeSize = head.Size, RootHash = head.RootHash, SignedAt = checkpoint.Checkpoint.Time.UtcDateTime, Note = checkpoint.Serialize(),
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                metrics.Signed();
                signedNow = true;
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear();
                // Another instance signed this size first: its checkpoint stands. Any other failure is this trust's
                // fault and is not taken for a signed checkpoint.
                if (!await db.Checkpoints.AsNoTracking().AnyAsync(c => c.TreeSize == head.Size, cancellationToken)) throw;
            }
        }

        _signed[tenant] = head.Size;
        foreach (var (endpoint, key) in keys.Witnesses) await AskWitnessAsync(db, tree, tenant, head.Size, endpoint, key, cancellationToken);
        return signedNow;
    }

    private async Task AskWitnessAsync(AuditDbContext db, MerkleTree tree, string tenant, long size, WitnessEndpoint witness, NoteVerifierKey witnessKey, CancellationToken cancellationToken)
    {
        var lastCosigned = await db.Cosignatures.AsNoTracking().Where(c => c.Witness == witness.Name).MaxAsync(c => (long?)c.TreeSize, cancellationToken) ?? 0;
        if (lastCosigned >= size) return;
        var note = (await db.Checkpoints.AsNoTracking().SingleAsync(c => c.TreeSize == size, cancellationToken)).Note;
        var client = http.CreateClient(WitnessClient);
        var oldSize = lastCosigned;
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var proof = await tree.ConsistencyProofAsync(oldSize, size, cancellationToken);
            var body = new StringBuilder().Append("old ").Append(oldSize.ToString(CultureInfo.InvariantCulture)).Append('\n');
            foreach (var hash in proof) body.Append(Convert.ToBase64String(hash)).Append('\n');
            body.Append('\n').Append(note);
            HttpResponseMessage response;
            try
            {
                response = await client.PostAsync(witness.Url, new StringContent(body.ToString(), Encoding.UTF8, "text/plain"), cancellationToken);
            }
            catch (HttpRequestException e)
            {
                logger.LogWarning(e, "Witness {Witness} could not be reached for {Tenant} at size {Size}", witness.Name, tenant, size);
                return;
            }

            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    StoreCosignature(db, tenant, size, note, text, witness, witnessKey);
                    await db.SaveChangesAsync(cancellationToken);
                    return;
                }

                // A stale old size: the witness says which size it holds; try once from there, never blindly again.
                if (response.StatusCode == HttpStatusCode.Conflict && attempt == 1
                    && response.Content.Headers.ContentType?.MediaType == "text/x.tlog.size"
                    && long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var theirs) && theirs != oldSize && theirs <= size)
                {
                    oldSize = theirs;
                    continue;
                }

                metrics.WitnessRefused(witness.Name, (int)response.StatusCode);
                logger.LogError("Witness {Witness} refused to cosign {Origin} at size {Size}: {Status} {Reason}",
                    witness.Name, keys.OriginOf(tenant), size, (int)response.StatusCode, text.Length > 300 ? text[..300] : text);
                return;
            }
        }
    }

    private void StoreCosignature(AuditDbContext db, string tenant, long size, string note, string answer, WitnessEndpoint witness, NoteVerifierKey witnessKey)
    {
        var parsed = SignedNote.Parse(note + answer);
        var verified = new CheckpointVerifier(keys.OriginOf(tenant), keys.LogKeysOf(tenant), [witnessKey], 1).Verify(parsed);
        if (verified.IsRefused)
        {
            logger.LogError("Witness {Witness} answered {Origin} at size {Size} with no valid cosignature: {Reason}", witness.Name, keys.OriginOf(tenant), size, verified.Refusal!.Message);
            return;
        }

        db.Cosignatures.Add(new CosignatureRow { TenantId = tenant, TreeSize = size, Witness = witness.Name, Line = verified.Value.Cosignatures[0].Signature.ToLine() });
    }

    /// <summary>A stored checkpoint as served: the log's signed note with every cosignature line appended.</summary>
    public static async Task<string?> SignedNoteAsync(AuditDbContext db, long? size, CancellationToken cancellationToken)
    {
        var checkpoints = db.Checkpoints.AsNoTracking();
        var row = size is { } s
            ? await checkpoints.SingleOrDefaultAsync(c => c.TreeSize == s, cancellationToken)
            : await checkpoints.OrderByDescending(c => c.TreeSize).FirstOrDefaultAsync(cancellationToken);
        if (row is null) return null;
        var lines = await db.Cosignatures.AsNoTracking().Where(c => c.TreeSize == row.TreeSize).OrderBy(c => c.Witness).Select(c => c.Line).ToListAsync(cancellationToken);
        return row.Note + string.Concat(lines);
    }
}

/// <summary>The checkpointer's loop: a round every <see cref="AuditOptions.CheckpointInterval"/> on the app's clock.</summary>
public sealed class CheckpointerService(Checkpointer checkpointer, IOptions<AuditOptions> options, TimeProvider clock, ILogger<CheckpointerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.CheckpointerEnabled) return;
        using var timer = new PeriodicTimer(options.Value.CheckpointInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await checkpointer.CheckpointAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "A checkpoint round failed; the next round tries again");
            }
        }
    }
}
