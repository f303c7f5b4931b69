using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Npgsql;
using Platform.Contracts.Procurement.V1;
using Xunit;
using Evidence = Platform.Contracts.Evidence.V1;
using static Platform.Procurement.Api.Tests.ProcurementCaseClient;

namespace Platform.Procurement.Api.Tests;

/// <summary>
/// Regional reuse (issue 15): one trust shares the supplier-level evidence it assessed; another trust's gate takes it
/// in as a reviewed input recording its origin, while each trust keeps its own DPIA, EHIA, DCB0160 case and decision.
/// </summary>
public class RegionalReuseTests(ProcurementClockFixture fixture) : IClassFixture<ProcurementClockFixture>
{
    private ProcurementCaseClient Trust(string ods) => new(fixture, ods);
    private DateTime Now => fixture.Clock.GetUtcNow().UtcDateTime;

    /// <summary>The origin trust's case with every gate passed and a sufficient appraisal, and what it shared from it.</summary>
    private async Task<(ProcurementCase Case, Dictionary<SupplierEvidenceKind, SharedSupplierEvidence> Shared)> OriginSharesAsync(ProcurementCaseClient origin, string product)
    {
        var opened = await origin.CaseAsync(product);
        await origin.RecordEveryGateButTheAppraisalAsync(opened.CaseId);
        await origin.DeliverAppraisalAsync(opened.TechnologyId, opened.SettingCode, Evidence.AppraisalConclusion.Sufficient);
        var shared = new Dictionary<SupplierEvidenceKind, SharedSupplierEvidence>();
        foreach (var (gate, kind) in new[]
        {
            (Gate.DtacClinicalSafety, SupplierEvidenceKind.DtacAnswers),
            (Gate.DtacTechnicalSecurity, SupplierEvidenceKind.PenetrationTest),
            (Gate.DtacDataProtection, SupplierEvidenceKind.DsptStatus),
            (Gate.EvidenceAppraisal, SupplierEvidenceKind.EsfAppraisal),
        })
            shared[kind] = await origin.As(Lead).ShareSupplierEvidenceAsync(new ShareSupplierEvidenceRequest { CaseId = opened.CaseId, Gate = gate, Kind = kind });
        return (opened, shared);
    }

    private static RecordGateRequest Reusing(string caseId, SharedSupplierEvidence shared, string note) => new()
    {
        CaseId = caseId, EvidenceReference = $"REUSE-{shared.Kind}", Reuse = new ReuseSharedEvidence { SharedEvidenceId = shared.SharedEvidenceId, ReviewNote = note },
    };

    [Fact]
    public async Task A_second_trust_reuses_the_first_trusts_dtac_answers_pen_test_dspt_and_esf_appraisal_as_reviewed_inputs_recording_their_origin()
    {
        var a = Trust("RRA1");
        var b = Trust("RRB1");
        var (_, shared) = await OriginSharesAsync(a, "Regional mood diary");
        Assert.All(shared.Values, s => Assert.Equal(("RRA1", "Calder Digital"), (s.OriginOdsCode, s.Supplier)));
        Assert.Single(await a.PublishedAsync("procurement.supplier_evidence_shared.v1", shared[SupplierEvidenceKind.PenetrationTest].SharedEvidenceId));

        var mine = await b.CaseAsync("Regional mood diary");
        var renewal = Timestamp.FromDateTime(Now.AddYears(2));

        // C1: the supplier's DTAC answers and DCB0129 case come from the share; the DCB0160 case and hazard log are B's own.
        var c1 = Reusing(mine.CaseId, shared[SupplierEvidenceKind.DtacAnswers], "Read the supplier's DTAC C1 answers as RRA1 accepted them; nothing changed since.");
        c1.ClinicalSafety = new ClinicalSafetyEvidence { TrustDcb0160SafetyCaseReference = "RRB1-0160-4", HazardLogReference = "RRB1-HL-4", Passed = true };
        var c1Record = await b.As(Safety).RecordGateAsync(c1);
        // C3: the penetration test comes from the share; B reviews the supplier's C3 answers itself.
        var c3 = Reusing(mine.CaseId, shared[SupplierEvidenceKind.PenetrationTest], "Scope of RRA1's penetration test covers our deployment.");
        c3.TechnicalSecurity = new TechnicalSecurityEvidence { Dtac = new DtacAnswers { SupplierDtacReference = "DTAC v2 answers 2027-02", DtacRenewalDue = renewal }, Passed = true };
        var c3Record = await b.As(Ig).RecordGateAsync(c3);
        // C2: the supplier's DSPT status comes from the share.
        var c2 = Reusing(mine.CaseId, shared[SupplierEvidenceKind.DsptStatus], "DSPT status checked against the published toolkit today.");
        c2.DataProtection = new DataProtectionEvidence { Dtac = new DtacAnswers { SupplierDtacReference = "DTAC v2 answers 2027-02", DtacRenewalDue = renewal }, Passed = true };
        var c2Record = await b.As(Ig).RecordGateAsync(c2);
        // The ESF appraisal: the evidence reviewer takes it in as it is, for the same setting type.
        var appraisal = await b.As(Reviewer).RecordGateAsync(Reusing(mine.CaseId, shared[SupplierEvidenceKind.EsfAppraisal], "Appraisal covers acute adult wards like ours."));

        foreach (var (record, kind, note) in new[]
        {
            (c1Record, SupplierEvidenceKind.DtacAnswers, "Read the supplier's DTAC C1 answers"),
            (c3Record, SupplierEvidenceKind.PenetrationTest, "Scope of RRA1's penetration test"),
            (c2Record, SupplierEvidenceKind.DsptStatus, "DSPT status checked"),
            (appraisal, SupplierEvidenceKind.EsfAppraisal, "Appraisal covers acute adult wards"),
        })
        {
            Assert.Equal(GateState.Passed, record.State);
            Assert.Equal(("RRA1", kind, shared[kind].SharedEvidenceId), (record.Reused.OriginOdsCode, record.Reused.Kind, record.Reused.SharedEvidenceId));
            Assert.StartsWith(note, record.Reused.ReviewNote);
        }
        Assert.Equal("evidence-reviewer", appraisal.RecordedAs);
        // The pen test's own validity now bounds B's C3 gate.
        Assert.Equal(shared[SupplierEvidenceKind.PenetrationTest].PenetrationTest.ValidUntil, c3Record.ExpiresAt);

        var read = await b.As(Lead).GetCaseAsync(new GetCaseRequest { CaseId = mine.CaseId });
        Assert.Equal("RRA1", read.Gates.Single(g => g.Code == "evidence-appraisal").Reused.OriginOdsCode);
        // Each trust keeps its own documents: B's DPIA, EHIA and decision are still B's to make.
        Assert.DoesNotContain(read.Gates, g => g.Code is "dpia" or "ehia");
        Assert.Equal(CaseStatus.Open, read.Status);

        var recorded = await b.PublishedAsync("procurement.gate_recorded.v1", mine.CaseId);
        Assert.Equal(4, recorded.Count(e => e.Contains("\"reusedFromTenant\": \"RRA1\"", StringComparison.Ordinal)));
        var reused = await b.PublishedAsync("procurement.supplier_evidence_reused.v1", mine.CaseId);
        Assert.Equal(4, reused.Count);
        Assert.All(reused, e => Assert.Contains("\"originTenant\": \"RRA1\"", e));
        Assert.DoesNotContain(reused, e => e.Contains("Appraisal covers", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_listing_seen_by_another_trust_carries_supplier_evidence_and_the_origin_code_and_never_the_origin_trusts_own_documents()
    {
        var a = Trust("RRA2");
        var b = Trust("RRB2");
        var (opened, shared) = await OriginSharesAsync(a, "Regional sleep app");

        // A trust's own work is never shared, whichever gate it sits behind.
        foreach (var gate in new[] { Gate.Dpia, Gate.Ehia, Gate.IgSignOff })
        {
            var own = await RefusedAsync(() => a.As(Lead).ShareSupplierEvidenceAsync(new ShareSupplierEvidenceRequest
            {
                CaseId = opened.CaseId, Gate = gate, Kind = SupplierEvidenceKind.DtacAnswers,
            }).ResponseAsync, StatusCode.InvalidArgument);
            Assert.Equal("sharing.trust-own-document", own.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        }

        var listing = await b.As(Ig).ListSharedSupplierEvidenceAsync(new ListSharedSupplierEvidenceRequest { Supplier = " calder digital " });
        var fromA = listing.Shared.Where(s => s.OriginOdsCode == "RRA2").ToList();
        Assert.Equal(shared.Values.Select(s => s.SharedEvidenceId).Order(), fromA.Select(s => s.SharedEvidenceId).Order());
        var c1 = fromA.Single(s => s.Kind == SupplierEvidenceKind.DtacAnswers).DtacAnswers;
        Assert.Equal(("DTAC v2 answers 2027-02", "CSC-0129-v3", Gate.DtacClinicalSafety), (c1.SupplierDtacReference, c1.SupplierDcb0129SafetyCaseReference, c1.Section));

        // On the wire: none of the origin trust's own documents, references or case.
        var wire = listing.ToByteArray();
        var json = JsonFormatter.Default.Format(listing);
        foreach (var own in new[] { "TRUST-0160-12", "HL-12", "DPIA-31", "EHIA-31", "Small text excludes", "CSO-HL-88", "IG-C3", "IG-SO-31", "POL-31", opened.CaseId })
        {
            Assert.DoesNotContain(own, json, StringComparison.Ordinal);
            Assert.False(wire.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(own)) >= 0, $"{own} is on the wire");
        }
        Assert.Empty((await b.As(Ig).ListSharedSupplierEvidenceAsync(new ListSharedSupplierEvidenceRequest { Supplier = "Another Supplier Ltd" })).Shared);
    }

    [Fact]
    public async Task Withdrawn_shared_evidence_leaves_the_listing_and_cannot_be_reused_and_only_its_origin_trust_can_withdraw_it()
    {
        var a = Trust("RRA3");
        var b = Trust("RRB3");
        var (_, shared) = await OriginSharesAsync(a, "Regional feedback kiosk");
        var test = shared[SupplierEvidenceKind.PenetrationTest];

        var notMine = await RefusedAsync(() => b.As(Lead).WithdrawSharedEvidenceAsync(new WithdrawSharedEvidenceRequest { SharedEvidenceId = test.SharedEvidenceId }).ResponseAsync,
            StatusCode.PermissionDenied);
        Assert.Equal("sharing.not-origin", notMine.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);

        var withdrawn = await a.As(Lead).WithdrawSharedEvidenceAsync(new WithdrawSharedEvidenceRequest { SharedEvidenceId = test.SharedEvidenceId });
        Assert.NotNull(withdrawn.WithdrawnAt);
        Assert.DoesNotContain((await b.As(Ig).ListSharedSupplierEvidenceAsync(new ListSharedSupplierEvidenceRequest())).Shared, s => s.SharedEvidenceId == test.SharedEvidenceId);

        var mine = await b.CaseAsync("Regional feedback kiosk");
        var c3 = Reusing(mine.CaseId, test, "Relied on RRA3's test.");
        c3.TechnicalSecurity = new TechnicalSecurityEvidence { Dtac = new DtacAnswers { SupplierDtacReference = "DTAC v2", DtacRenewalDue = Timestamp.FromDateTime(Now.AddYears(1)) }, Passed = true };
        var refused = await RefusedAsync(() => b.As(Ig).RecordGateAsync(c3).ResponseAsync, StatusCode.FailedPrecondition);
        Assert.Equal("reuse.withdrawn", refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.DoesNotContain((await b.As(Lead).GetCaseAsync(new GetCaseRequest { CaseId = mine.CaseId })).Gates, g => g.Code == "dtac-c3-technical-security");

        // A review note is required, and a trust does not "reuse" its own evidence.
        var noNote = Reusing(mine.CaseId, shared[SupplierEvidenceKind.EsfAppraisal], " ");
        Assert.Equal("reuse.review-note-missing", (await RefusedAsync(() => b.As(Reviewer).RecordGateAsync(noNote).ResponseAsync, StatusCode.InvalidArgument))
            .GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
    }

    [Fact]
    public async Task On_postgresql_row_level_security_lets_every_known_trust_read_shared_evidence_and_refuses_another_trusts_insert_or_update()
    {
        var a = Trust("RRA4");
        var (_, shared) = await OriginSharesAsync(a, "Regional RLS app");
        _ = Trust("RRB4").As(Lead); // the directory has onboarded RRB4
        var id = Guid.Parse(shared[SupplierEvidenceKind.DsptStatus].SharedEvidenceId);

        await using var conn = new NpgsqlConnection(fixture.App.Postgres.AppConnectionString(fixture.App.Database));
        await conn.OpenAsync();
        async Task ActFor(string tenant)
        {
            await using var set = new NpgsqlCommand("SELECT set_config('app.tenant_id', @t, false)", conn);
            set.Parameters.AddWithValue("t", tenant);
            await set.ExecuteNonQueryAsync();
        }
        async Task<long> Visible()
        {
            await using var count = new NpgsqlCommand("SELECT count(*) FROM shared_supplier_evidence WHERE id = @id AND withdrawn_at IS NULL", conn);
            count.Parameters.AddWithValue("id", id);
            return (long)(await count.ExecuteScalarAsync())!;
        }

        await ActFor("RRB4");
        Assert.Equal(1, await Visible());
        await using (var update = new NpgsqlCommand("UPDATE shared_supplier_evidence SET withdrawn_at = now(), origin_tenant_id = 'RRB4' WHERE id = @id", conn))
        {
            update.Parameters.AddWithValue("id", id);
            Assert.Equal(0, await update.ExecuteNonQueryAsync());
        }
        Assert.Equal(1, await Visible());
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO shared_supplier_evidence (id, origin_tenant_id, supplier, product_name, kind, content, assessed_at, shared_at, shared_by)
            VALUES (@id, 'RRA4', 'Calder Digital', 'Forged', 'PenetrationTest', '{}', now(), now(), 'someone')
            """, conn))
        {
            insert.Parameters.AddWithValue("id", Guid.NewGuid());
            var forged = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, forged.SqlState);
        }
        await using (var delete = new NpgsqlCommand("DELETE FROM shared_supplier_evidence WHERE id = @id", conn))
        {
            delete.Parameters.AddWithValue("id", id);
            Assert.Equal(0, await delete.ExecuteNonQueryAsync());
        }

        // A session for no trust, or for one the directory never onboarded, reads nothing.
        await ActFor("");
        Assert.Equal(0, await Visible());
        await ActFor("ZZZ");
        Assert.Equal(0, await Visible());

        // The origin trust itself may update its row.
        await ActFor("RRA4");
        await using (var update = new NpgsqlCommand("UPDATE shared_supplier_evidence SET withdrawn_at = now() WHERE id = @id", conn))
        {
            update.Parameters.AddWithValue("id", id);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }
    }
}
