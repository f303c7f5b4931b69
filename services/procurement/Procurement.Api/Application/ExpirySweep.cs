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
/// and its own transaction. Reopened gates and withdrawals are published with the change; a second sweep at the same
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
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Each trust's review is one transaction: nothing is half-done, and the next tick tries again.
                logger.LogError(ex, "Procurement expiry sweep failed");
            }
        }
    }

    /// <summary>One sweep over every trust; returns what it changed, summed.</summary>
    public async Task<ExpirySweepResult> SweepAsync(CancellationToken ct = default)
    {
        List<string> tenants;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ProcurementDbContext>();
            tenants = await db.Trusts.AsNoTracking().OrderBy(t => t.TenantId).Select(t => t.TenantId).ToListAsync(ct);
        }
        var total = new ExpirySweepResult(0, 0, 0);
        foreach (var tenant in tenants)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Use(tenant);
            var result = await scope.ServiceProvider.GetRequiredService<ProcurementCases>().ReviewExpiriesAsync(ct);
            if (result.GatesReopened + result.ApprovalsWithdrawn > 0)
                logger.LogInformation("Expiry review for {Tenant}: {Reopened} gates reopened, {Withdrawn} approvals withdrawn", tenant, result.GatesReopened, result.ApprovalsWithdrawn);
            total = new(total.CasesReviewed + result.CasesReviewed, total.GatesReopened + result.GatesReopened, total.ApprovalsWithdrawn + result.ApprovalsWithdrawn);
        }
        return total;
    }
}
