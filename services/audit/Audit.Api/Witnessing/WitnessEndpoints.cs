using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Platform.Audit.Api.Checkpoints;
using Platform.Audit.Api.Data;
using Platform.Audit.Domain.Witnessing;

namespace Platform.Audit.Api.Witnessing;

/// <summary>
/// The witness's memory in audit_witness_heads, advanced by compare-and-set. Not per tenant: it is this service's
/// memory of other logs, keyed by their origin.
/// </summary>
public sealed class DatabaseWitnessStateStore(AuditDbContext db, TimeProvider clock) : IWitnessStateStore
{
    public async ValueTask<WitnessedHead?> GetAsync(string origin, CancellationToken cancellationToken = default)
    {
        var row = await db.WitnessHeads.AsNoTracking().SingleOrDefaultAsync(h => h.Origin == origin, cancellationToken);
        return row is null ? null : new WitnessedHead(row.TreeSize, row.RootHash);
    }

    public async ValueTask<bool> TryAdvanceAsync(string origin, WitnessedHead? expected, WitnessedHead next, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (expected is null)
        {
            var inserted = await db.Database.ExecuteSqlAsync($"""
                INSERT INTO audit_witness_heads (origin, tree_size, root_hash, cosigned_at) VALUES ({origin}, {next.Size}, {next.RootHash}, {now})
                ON CONFLICT DO NOTHING
                """, cancellationToken);
            return inserted == 1;
        }

        var oldRoot = expected.RootHash;
        var moved = await db.WitnessHeads
            .Where(h => h.Origin == origin && h.TreeSize == expected.Size && h.RootHash == oldRoot)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.TreeSize, next.Size).SetProperty(h => h.RootHash, next.RootHash).SetProperty(h => h.CosignedAt, now), cancellationToken);
        return moved == 1;
    }
}

/// <summary>
/// c2sp.org/tlog-witness <c>POST add-checkpoint</c>, when this service has a witness key and follows other logs.
/// Like the spec it takes no bearer token: a request is only ever acted on when a followed log's key signed the
/// checkpoint, and the answer reveals nothing but a size this witness already cosigned.
/// </summary>
public static class WitnessEndpoints
{
    public const string Path = "/witness/add-checkpoint";

    public static IEndpointRouteBuilder MapWitness(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, async (HttpRequest request, AuditKeys keys, AuditDbContext db, TimeProvider clock, ILoggerFactory logs, CancellationToken ct) =>
        {
            if (keys.WitnessSigningKey is not { } witnessKey || keys.FollowedLogs.Count == 0)
            {
                return Results.Text("This service witnesses no logs.", "text/plain", statusCode: StatusCodes.Status404NotFound);
            }

            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync(ct);
            if (!TryParse(body, out var oldSize, out var proof, out var checkpoint))
            {
                return Results.Text("The body must be 'old <size>', the proof's base64 hashes one a line, a blank line, then the signed checkpoint.", "text/plain",
                    statusCode: StatusCodes.Status400BadRequest);
            }

            var witness = new Witness(witnessKey, keys.FollowedLogs, new DatabaseWitnessStateStore(db, clock), clock);
            var answer = await witness.AddCheckpointAsync(oldSize, proof, checkpoint, ct);
            if (answer.Answer == WitnessAnswer.Cosigned) return Results.Text(answer.Cosignature!.ToLine(), "text/plain; charset=utf-8");
            logs.CreateLogger("Platform.Audit.Witness").LogWarning("Witness refused a checkpoint: {Status} {Reason}", (int)answer.Answer, answer.Message);
            return answer.LatestSize is { } latest && answer.Answer == WitnessAnswer.Conflict
                ? Results.Text(latest.ToString(CultureInfo.InvariantCulture) + "\n", "text/x.tlog.size", statusCode: StatusCodes.Status409Conflict)
                : Results.Text(answer.Message, "text/plain", statusCode: (int)answer.Answer);
        }).AllowAnonymous();
        return app;
    }

    private static bool TryParse(string body, out long oldSize, out List<byte[]> proof, out string checkpoint)
    {
        oldSize = 0;
        proof = [];
        checkpoint = "";
        var blank = body.IndexOf("\n\n", StringComparison.Ordinal);
        if (blank < 0) return false;
        var head = body[..blank].Split('\n');
        checkpoint = body[(blank + 2)..];
        if (!head[0].StartsWith("old ", StringComparison.Ordinal) || !long.TryParse(head[0][4..], NumberStyles.None, CultureInfo.InvariantCulture, out oldSize)) return false;
        foreach (var line in head.Skip(1))
        {
            try
            {
                proof.Add(Convert.FromBase64String(line));
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return true;
    }
}
