using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Audit.Api.Data;
using Platform.Audit.Domain.Checkpoints;
using Platform.Audit.Domain.Notes;
using Platform.Contracts.Audit.V1;
using Checkpoint = Platform.Audit.Domain.Checkpoints.Checkpoint;
using Xunit;

namespace Platform.Audit.Api.Tests;

// The checkpointer as a hosted service on the app's clock, and a witness run by another audit service.
public class WitnessTests(WitnessedAuditFixture fixture) : IClassFixture<WitnessedAuditFixture>
{
    private const string Trust = "WIT1";

    private Task<string?> LatestCosignedNoteAsync(long atLeast) => fixture.App.InTenantAsync(Trust, async sp =>
    {
        var db = sp.GetRequiredService<AuditDbContext>();
        var size = await db.Cosignatures.AsNoTracking().MaxAsync(c => (long?)c.TreeSize) ?? 0;
        return size >= atLeast ? await Platform.Audit.Api.Checkpoints.Checkpointer.SignedNoteAsync(db, size, CancellationToken.None) : null;
    });

    private async Task<string> CheckpointOnTheClockAsync(long atLeast) =>
        // Each second of the fake clock is one round of the hosted checkpointer; nothing else moves it.
        await Eventually.Until(async () =>
        {
            fixture.Clock.Advance(TimeSpan.FromSeconds(1));
            return await LatestCosignedNoteAsync(atLeast);
        }, $"a cosigned checkpoint of {Trust} at size {atLeast} or more");

    [Fact]
    public async Task Entries_are_checkpointed_within_a_second_on_the_clock_and_cosigned_by_the_witness_and_a_split_view_is_refused()
    {
        for (var i = 0; i < 3; i++) Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, AuditEvents.UseAuthorised($"w-{i}"), Trust, $"evt-w{i}"));
        var first = await CheckpointOnTheClockAsync(3);
        for (var i = 3; i < 5; i++) Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, AuditEvents.UseAuthorised($"w-{i}"), Trust, $"evt-w{i}"));
        var second = await CheckpointOnTheClockAsync(5);

        var origin = LogOrigin.For(AuditTestKeys.Deployment, Trust);
        var verifier = new CheckpointVerifier(origin, [AuditTestKeys.LogKeys[Trust].Verifier], [AuditTestKeys.WitnessKey.Verifier], requiredCosignatures: 1);
        var verified = verifier.Verify(second);
        Assert.False(verified.IsRefused, verified.Refusal?.Message);
        Assert.Equal(5, verified.Value.Checkpoint.Size);
        Assert.False(verifier.Verify(first).IsRefused);

        // The auditor's view carries the cosignature, and the command-line verifier demands it.
        var auditor = fixture.App.GrpcClient<AuditService.AuditServiceClient>(Trust, "auditor");
        var keys = await auditor.GetVerifierKeysAsync(new GetVerifierKeysRequest());
        Assert.Equal([AuditTestKeys.WitnessKey.Verifier.ToString()], keys.WitnessKeys);
        var export = await auditor.ExportRangeAsync(new ExportRangeRequest { FirstSequence = 1, LastSequence = 5, TreeSize = 5 });
        var file = Path.Combine(Path.GetTempPath(), $"audit-witnessed-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, export.BundleJson);
        using var output = new StringWriter();
        var code = await Platform.Tools.AuditVerifier.Program.RunAsync(
            ["bundle", file, "--key", AuditTestKeys.LogKeys[Trust].Verifier.ToString(), "--key", AuditTestKeys.WitnessKey.Verifier.ToString(), "--witnesses", "1"], output, output, CancellationToken.None);
        Assert.True(code == 0, output.ToString());

        // A log that shows another history at the witnessed size: signed by the trust's own key, refused by the witness.
        var forged = new Checkpoint(origin, 5, new byte[32], DateTimeOffset.UtcNow);
        var split = SignedNote.Sign(forged.ToNoteText(), AuditTestKeys.LogKeys[Trust]).Serialize();
        using var http = fixture.Witness.CreateHttpClient();
        var refused = await http.PostAsync("/witness/add-checkpoint", new StringContent($"old 5\n\n{split}", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("text/x.tlog.size", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("5", (await refused.Content.ReadAsStringAsync()).Trim());

        // A checkpoint signed by a key the witness does not follow for this log changes nothing either.
        using var stranger = NoteSigningKey.Generate(origin, NoteSignatureType.Ed25519);
        var unsigned = await http.PostAsync("/witness/add-checkpoint",
            new StringContent($"old 5\n\n{SignedNote.Sign(new Checkpoint(origin, 6, new byte[32], DateTimeOffset.UtcNow).ToNoteText(), stranger).Serialize()}", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);

        // The witness still holds the true head, and cosigns the log's next checkpoint.
        Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, AuditEvents.UseAuthorised("w-5"), Trust, "evt-w5"));
        var third = await CheckpointOnTheClockAsync(6);
        Assert.False(verifier.Verify(third).IsRefused);

        // The region analyst sees the trust's latest checkpoint as witnessed (ADR 0042). The clock stands still now,
        // so once any round under way has finished, the latest checkpoint is the cosigned one.
        var region = fixture.App.GrpcClientWithToken<AuditService.AuditServiceClient>(Platform.Testing.TestTokens.Shared.MintForTrusts([], ["region-analyst"]));
        var seen = await Eventually.Until(async () =>
            (await region.GetRegionalCheckpointsAsync(new GetRegionalCheckpointsRequest())).Trusts.SingleOrDefault(t => t.OdsCode == Trust && t.TreeSize >= 6 && t.Cosignatures == 1),
            $"the region seeing {Trust}'s checkpoint cosigned");
        Assert.True(seen.HasCheckpoint);
    }
}
