using PdfSharp;

namespace Platform.Consent.Api.Application;

/// <summary>
/// The PDFsharp licence the operator chose (docs/decisions/0007-pdfsharp-licence.md), applied once at start-up.
/// <c>Consent:CarePlanPdf:Licence</c> is <c>AGPL-3.0</c> to accept PDFsharp's AGPL, or a commercial licence from empira;
/// unset, the service runs and answers everything but PDF copies, which it refuses by name.
/// </summary>
public sealed class CarePlanPdfLicence
{
    public const string Setting = "Consent:CarePlanPdf:Licence";
    public const string Agpl = "AGPL-3.0";
    private static readonly Lock s_gate = new();
    private static string? s_applied;

    public bool Chosen { get; }

    public CarePlanPdfLicence(IConfiguration configuration, ILogger<CarePlanPdfLicence> logger)
    {
        var licence = configuration[Setting]?.Trim();
        if (string.IsNullOrEmpty(licence))
        {
            logger.LogWarning("No PDFsharp licence chosen ({Setting}): care-plan PDF copies are refused; the text copy still works", Setting);
            return;
        }
        lock (s_gate)
        {
            // Process-wide in PDFsharp: apply once (several hosts in one process, like the local runner, share it).
            if (s_applied is null)
            {
                if (string.Equals(licence, Agpl, StringComparison.OrdinalIgnoreCase)) PdfSharpLicense.SetAgplLicense();
                else PdfSharpLicense.LoadLicense(licence);
                s_applied = licence;
            }
        }
        Chosen = true;
    }
}
