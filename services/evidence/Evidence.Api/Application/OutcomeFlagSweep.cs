using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Evidence.Api.Data;
using Platform.KnownTrusts;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Evidence.Api.Application;

public sealed class OutcomeFlagSweepOptions
{
    public const string Section = "Evidence:OutcomeFlagSweep";

    /// <summary>Run the sweep in the background (at start, then every <see cref="Interval"/>).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between sweeps, on the app's <see cref="TimeProvider"/>.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(6);
}

/// <summary>What one sweep did, for logs and tests.</summary>
public sealed record OutcomeFlagSweepResult(int Trusts, int Reports, int FlagsRaised, IReadOnlyList<string> FailedTrusts);

/// <summary>
/// The outcome flag sweep: every trust the directory onboarded and has not suspended, each in its own tenant scope (so
/// row-level security applies) and its own transaction, raises the flags of the last ended quarter's reports
/// (<see cref="OutcomeFlags"/>). A flag is raised once per quarter, so sweeping again, or on two replicas, adds nothing.
/// A trust whose sweep fails is logged and the others go on; it is tried again on the next tick.
/// </summary>
public sealed class OutcomeFlagSweep(IServiceScopeFactory scopes, IOptions<OutcomeFlagSweepOptions> options, TimeProvider clock, ILogger<OutcomeFlagSweep> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        // At start too: a quarter's flags should not wait a whole interval after each deployment.
        do
        {
            try
            {
                var result = await SweepAsync(stoppingToken);
                if (result.FlagsRaised > 0 || result.FailedTrusts.Count > 0)
                    logger.LogInformation("Outcome flag sweep over {Trusts} trusts: {Reports} reports, {Raised} flags raised, {Failed} trusts failed",
                        result.Trusts, result.Reports, result.FlagsRaised, result.FailedTrusts.Count);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The list of trusts could not be read; the next tick tries again.
                logger.LogError(ex, "Outcome flag sweep failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One sweep over every active trust.</summary>
    public async Task<OutcomeFlagSweepResult> SweepAsync(CancellationToken ct = default)
    {
        List<string> trusts;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<EvidenceDbContext>();
            trusts = await db.ActiveTrustCodesAsync(ct);
        }
        // One trust's fault (its data, its database rows) must not keep the others' flags from procurement.
        var run = await scopes.ForEachTrustAsync(trusts,
            (services, token) => services.GetRequiredService<OutcomeFlags>().RaiseForLastEndedQuarterAsync(token),
            logger, "Outcome flag sweep", ct);
        return new OutcomeFlagSweepResult(trusts.Count, run.Results.Sum(r => r.Result.Reports), run.Results.Sum(r => r.Result.Raised), run.FailedTrusts);
    }
}
