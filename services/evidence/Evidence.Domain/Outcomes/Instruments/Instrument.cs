using Platform.Domain;

namespace Platform.Evidence.Domain;

public enum Instrument
{
    Unspecified = 0,
    Honos = 1,
    Core10 = 2,
    ReQoL10 = 3,
    Dialog = 4,
    PatientExperience = 5,
}

/// <summary>
/// An instrument's headline score and how to read it: its range, and whether a higher score is better. A change
/// instrument measures benefit as the change from a patient's first to latest score; patient experience is read
/// at its latest answer.
/// </summary>
public sealed record InstrumentDefinition(Instrument Instrument, string Code, string Name, double Minimum, double Maximum, bool HigherIsBetter, bool MeasuresChange)
{
    public double Range => Maximum - Minimum;
}

public static class Instruments
{
    public static IReadOnlyList<InstrumentDefinition> All { get; } =
    [
        new(Instrument.Honos, "honos", "HoNOS total", 0, 48, HigherIsBetter: false, MeasuresChange: true),
        new(Instrument.Core10, "core-10", "CORE-10 clinical score", 0, 40, HigherIsBetter: false, MeasuresChange: true),
        new(Instrument.ReQoL10, "reqol-10", "ReQoL-10 total", 0, 40, HigherIsBetter: true, MeasuresChange: true),
        new(Instrument.Dialog, "dialog", "DIALOG subjective quality of life", 1, 7, HigherIsBetter: true, MeasuresChange: true),
        // Read as a share of positive answers: the mean of 1 (very good, good) and 0 (anything else).
        new(Instrument.PatientExperience, "patient-experience", "Patient experience: share positive", 0, 1, HigherIsBetter: true, MeasuresChange: false),
    ];

    public static InstrumentDefinition Of(Instrument instrument) =>
        All.FirstOrDefault(d => d.Instrument == instrument) ?? throw new ArgumentOutOfRangeException(nameof(instrument), instrument, "Not an instrument.");
}

/// <summary>Answers to one instrument, as given.</summary>
public abstract record InstrumentResponses
{
    public abstract Instrument Instrument { get; }

    /// <summary>Validates every answer (naming the item that is wrong) and scores by the instrument's published rules.</summary>
    public abstract Outcome<InstrumentScore> Score();
}

/// <summary>A scored instrument. <see cref="Headline"/> is what outcomes are measured on; null when it cannot be scored.</summary>
public abstract record InstrumentScore
{
    public abstract Instrument Instrument { get; }
    public abstract double? Headline { get; }
}
