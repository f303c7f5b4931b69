using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Procurement.Api.Data;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Procurement.Api.Application;

public sealed class ExpirySweepOptions
{
    public const string Section = "Procurement:ExpirySweep";

    /// <summary>Run the sweep in the background.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between sweeps, on the app's <see cref="TimeProvider"/>.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// The expiry review on a timer: every trust with cases, each in its own tenant scope (so row-level security applies)
/// and its own transaction (<see cref="TrustSweep"/>: a trust whose review fails is logged and the others go on). Reopened gates and withdrawals are published with the change; a second sweep at the same
/// moment changes nothing, because each expiry is noticed once and a withdrawn approval is not withdrawn again.
/// </summary>
public sealed class ExpirySweep(IServiceScopeFactory scopes, IOptions<ExpirySweepOptions> options, TimeProvider clock, ILogger<ExpirySweep> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var result = await SweepAsync(stoppingToken);
                if (result.FailedTrusts.Count > 0)
                    logger.LogWarning("Procurement expiry sweep over {Trusts} trusts: {Failed} trusts failed, tried again next tick", result.Trusts, result.FailedTrusts.Count);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The list of trusts could not be read. Each trust's review is one transaction: nothing is half-done,
                // and the next tick tries again.
                logger.LogError(ex, "Procurement expiry sweep failed");
            }
        }
    }

    /// <summary>One sweep over every trust; returns what it changed, summed, and the trusts whose review failed.</summary>
    public async Task<ExpirySweepSummary> SweepAsync(CancellationToken ct = default)
    {
        List<string> tenants;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ProcurementDbContext>();
            tenants = await db.Trusts.AsNoTracking().Select(t => t.TenantId).ToListAsync(ct);
        }
        // One trust's fault (its rows, a trigger) is logged and retried next tick; the other trusts' lapsed evidence
        // still reopens its gates and withdraws its approvals.
        var run = await scopes.ForEachTrustAsync(tenants,
            (services, token) => services.GetRequiredService<ProcurementCases>().ReviewExpiriesAsync(token), logger, "Procurement expiry sweep", ct);
        foreach (var (tenant, result) in run.Results)
        {
            if (result.GatesReopened + result.ApprovalsWithdrawn > 0)
                logger.LogInformation("Expiry review for {Tenant}: {Reopened} gates reopened, {Withdrawn} approvals withdrawn", tenant, result.GatesReopened, result.ApprovalsWithdrawn);
        }
        return new ExpirySweepSummary(tenants.Count, run.Results.Sum(r => r.Result.CasesReviewed), run.Results.Sum(r => r.Result.GatesReopened),
            run.Results.Sum(r => r.Result.ApprovalsWithdrawn), run.FailedTrusts);
    }
}

/// <summary>What one expiry sweep did over every trust, for logs and tests.</summary>
public sealed record ExpirySweepSummary(int Trusts, int CasesReviewed, int GatesReopened, int ApprovalsWithdrawn, IReadOnlyList<string> FailedTrusts);
