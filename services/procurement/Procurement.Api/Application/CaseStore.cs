using Microsoft.EntityFrameworkCore;
using Platform.Procurement.Api.Data;
using Platform.Procurement.Domain;
using Domain = Platform.Procurement.Domain;

namespace Platform.Procurement.Api.Application;

/// <summary>A case rebuilt from its rows, with the rows kept so that what the domain changed can be written back.</summary>
public sealed class LoadedCase(ProcurementCase value, CaseRow header, List<GateRecordRow> gateRows, List<ApprovalRow> approvalRows)
{
    public ProcurementCase Value { get; } = value;
    internal CaseRow Header { get; } = header;
    internal List<GateRecordRow> GateRows { get; } = gateRows;
    internal List<ApprovalRow> ApprovalRows { get; } = approvalRows;
}

/// <summary>Loads procurement cases into the domain's <see cref="ProcurementCase"/> and writes its changes back as rows.</summary>
public sealed class CaseStore(ProcurementDbContext db)
{
    public async Task<LoadedCase?> LoadAsync(Guid caseId, CancellationToken ct)
    {
        var header = await db.Cases.SingleOrDefaultAsync(c => c.Id == caseId, ct);
        return header is null ? null : (await LoadAllAsync([header], ct))[0];
    }

    public async Task<IReadOnlyList<LoadedCase>> LoadAllAsync(IReadOnlyList<CaseRow> headers, CancellationToken ct)
    {
        var ids = headers.Select(h => h.Id).ToList();
        var gates = await db.GateRecords.Where(r => ids.Contains(r.CaseId)).ToListAsync(ct);
        var approvals = await db.Approvals.Where(a => ids.Contains(a.CaseId)).ToListAsync(ct);
        return headers.Select(h =>
        {
            var gateRows = gates.Where(g => g.CaseId == h.Id).ToList();
            var approvalRows = approvals.Where(a => a.CaseId == h.Id).ToList();
            var value = ProcurementCase.Restore(ToDomain(h), gateRows.Select(ToDomain), approvalRows.Select(ToDomain));
            return new LoadedCase(value, h, gateRows, approvalRows);
        }).ToList();
    }

    public LoadedCase Add(ProcurementCase opened)
    {
        var header = new CaseRow
        {
            Id = opened.Id,
            TechnologyId = opened.TechnologyId,
            SettingCode = opened.SettingCode,
            SettingDescription = opened.SettingDescription,
            Purpose = opened.Purpose,
            OpenedAt = opened.OpenedAt,
            OpenedBy = opened.OpenedBy,
        };
        db.Cases.Add(header);
        return new LoadedCase(opened, header, [], []);
    }

    /// <summary>Adds rows for new gate records and approvals, and copies what the domain may change onto existing ones.</summary>
    public void Update(LoadedCase loaded)
    {
        var caseId = loaded.Value.Id;
        foreach (var record in loaded.Value.GateRecords)
        {
            var row = loaded.GateRows.FirstOrDefault(r => r.Id == record.Id);
            if (row is null)
            {
                row = ToRow(caseId, record);
                loaded.GateRows.Add(row);
                db.GateRecords.Add(row);
                continue;
            }
            row.ExpiryNoticedAt = record.ExpiryNoticedAt;
            row.InvalidatedAt = record.InvalidatedAt;
            row.InvalidationReason = record.InvalidationReason;
        }
        foreach (var approval in loaded.Value.Approvals)
        {
            var row = loaded.ApprovalRows.FirstOrDefault(r => r.Id == approval.Id);
            if (row is null)
            {
                row = ToRow(approval);
                loaded.ApprovalRows.Add(row);
                db.Approvals.Add(row);
            }
            row.SupersededAt = approval.SupersededAt;
            if (approval.Withdrawal is { } w)
            {
                row.WithdrawalCause = w.Cause;
                row.WithdrawalReason = w.Reason;
                row.WithdrawalExpiredGates = w.ExpiredGates.Count == 0 ? null : string.Join(',', w.ExpiredGates.Select(g => GateCatalogue.Of(g).Code));
                row.WithdrawalFlagId = w.OutcomeFlagId;
                row.WithdrawnAt = w.WithdrawnAt;
                row.WithdrawnBy = w.WithdrawnBy;
            }
        }
    }

    public static Domain.Technology ToDomain(Data.Technology t) => new()
    {
        Id = t.Id,
        TenantId = t.TenantId,
        Name = t.Name,
        Supplier = t.Supplier,
        IntendedUse = t.IntendedUse,
        Category = (Domain.TechnologyCategory)t.Category,
        IsSurveillance = t.Surveillance,
        ManagesSafetyRisk = t.ManagesSafetyRisk,
        RegisteredAt = t.RegisteredAt,
    };

    private static ProcurementCase ToDomain(CaseRow h) => new()
    {
        Id = h.Id,
        TenantId = h.TenantId,
        TechnologyId = h.TechnologyId,
        SettingCode = h.SettingCode,
        SettingDescription = h.SettingDescription,
        Purpose = h.Purpose,
        OpenedAt = h.OpenedAt,
        OpenedBy = h.OpenedBy,
    };

    private static GateRecord ToDomain(GateRecordRow r) => new()
    {
        Id = r.Id,
        Gate = r.Gate,
        Evidence = EvidenceJson.ReadEvidence(r.Evidence),
        EvidenceReference = r.EvidenceReference,
        RecordedBy = r.RecordedBy,
        RecordedAs = r.RecordedAs,
        RecordedAt = r.RecordedAt,
        Outcome = r.Outcome,
        FailureReason = r.FailureReason,
        ExpiresAt = r.ExpiresAt,
        Reuse = r.ReuseSharedEvidenceId is { } shared
            ? new ReusedInput(shared, r.ReuseOriginTenant ?? "", r.ReuseKind ?? SupplierEvidenceKind.Unspecified, r.ReuseOriginAssessedAt ?? default, r.ReuseReviewNote ?? "")
            : null,
        ExpiryNoticedAt = r.ExpiryNoticedAt,
        InvalidatedAt = r.InvalidatedAt,
        InvalidationReason = r.InvalidationReason,
    };

    private static GateRecordRow ToRow(Guid caseId, GateRecord r) => new()
    {
        Id = r.Id,
        CaseId = caseId,
        Gate = r.Gate,
        Evidence = EvidenceJson.Write(r.Evidence),
        EvidenceReference = r.EvidenceReference,
        RecordedBy = r.RecordedBy,
        RecordedAs = r.RecordedAs,
        RecordedAt = r.RecordedAt,
        Outcome = r.Outcome,
        FailureReason = r.FailureReason,
        ExpiresAt = r.ExpiresAt,
        ReuseSharedEvidenceId = r.Reuse?.SharedEvidenceId,
        ReuseOriginTenant = r.Reuse?.OriginTenantId,
        ReuseKind = r.Reuse?.Kind,
        ReuseOriginAssessedAt = r.Reuse?.OriginAssessedAt,
        ReuseReviewNote = r.Reuse?.ReviewNote,
        ExpiryNoticedAt = r.ExpiryNoticedAt,
        InvalidatedAt = r.InvalidatedAt,
        InvalidationReason = r.InvalidationReason,
    };

    private static Approval ToDomain(ApprovalRow a) => new()
    {
        Id = a.Id,
        CaseId = a.CaseId,
        TechnologyId = a.TechnologyId,
        TechnologyName = a.TechnologyName,
        SettingCode = a.SettingCode,
        Kind = a.Kind,
        Rationale = a.Rationale,
        EvidenceAppraisalId = a.EvidenceAppraisalId,
        EvidenceConclusion = a.EvidenceConclusion,
        TrialEndsOn = a.TrialEndsOn,
        Evaluation = EvidenceJson.ReadPlan(a.Evaluation),
        IsSurveillance = a.IsSurveillance,
        ManagesSafetyRisk = a.ManagesSafetyRisk,
        ApprovedAt = a.ApprovedAt,
        ApprovedBy = a.ApprovedBy,
        SupersededAt = a.SupersededAt,
        Withdrawal = a.WithdrawnAt is { } at
            ? new ApprovalWithdrawal(a.Id, a.WithdrawalCause ?? WithdrawalCause.Unspecified, a.WithdrawalReason ?? "",
                (a.WithdrawalExpiredGates ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(GateByCode).ToList(),
                a.WithdrawalFlagId, at, a.WithdrawnBy ?? "")
            : null,
    };

    private static ApprovalRow ToRow(Approval a) => new()
    {
        Id = a.Id,
        CaseId = a.CaseId,
        TechnologyId = a.TechnologyId,
        TechnologyName = a.TechnologyName,
        SettingCode = a.SettingCode,
        Kind = a.Kind,
        Rationale = a.Rationale,
        EvidenceAppraisalId = a.EvidenceAppraisalId,
        EvidenceConclusion = a.EvidenceConclusion,
        TrialEndsOn = a.TrialEndsOn,
        Evaluation = EvidenceJson.Write(a.Evaluation),
        IsSurveillance = a.IsSurveillance,
        ManagesSafetyRisk = a.ManagesSafetyRisk,
        ApprovedAt = a.ApprovedAt,
        ApprovedBy = a.ApprovedBy,
    };

    public static GateKind GateByCode(string code) => GateCatalogue.All.Single(g => g.Code == code).Kind;
}
