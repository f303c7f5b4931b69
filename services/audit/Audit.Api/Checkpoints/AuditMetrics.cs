using System.Diagnostics.Metrics;

namespace Platform.Audit.Api.Checkpoints;

/// <summary>Meter <c>Platform.Audit</c>: checkpoints signed, and witness refusals (an operator's alarm).</summary>
public sealed class AuditMetrics
{
    public const string MeterName = "Platform.Audit";
    private readonly Counter<long> _signed;
    private readonly Counter<long> _refusals;

    public AuditMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _signed = meter.CreateCounter<long>("audit.checkpoints.signed");
        _refusals = meter.CreateCounter<long>("audit.witness.refusals");
    }

    public void Signed() => _signed.Add(1);

    public void WitnessRefused(string witness, int status) =>
        _refusals.Add(1, new KeyValuePair<string, object?>("witness", witness), new KeyValuePair<string, object?>("status", status));
}
