namespace Platform.Tools.AuditVerifier.Tests;

/// <summary>What the command line printed and returned.</summary>
public sealed record VerifierRun(int ExitCode, string Output)
{
    public static async Task<VerifierRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Program.RunAsync(args, output, error, CancellationToken.None);
        return new VerifierRun(code, output.ToString() + error);
    }
}
