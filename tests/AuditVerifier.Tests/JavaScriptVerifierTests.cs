using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Tools.AuditVerifier.Tests;

/// <summary>
/// The independent JavaScript verifier (tests/interop/audit/verify.mjs: RFC 9162, C2SP notes, the npm canonicalize
/// package and the documented AuditEvent mapping) checks our exports: nobody needs our code to check the log.
/// </summary>
public sealed class JavaScriptVerifierTests(AuditLogFixture log) : IClassFixture<AuditLogFixture>
{
    private async Task<JsonElement> VerifyWithNodeAsync(JsonObject bundle)
    {
        var interop = FindInterop();
        if (!Directory.Exists(Path.Combine(interop, "node_modules", "canonicalize")))
        {
            throw new InvalidOperationException("The npm package canonicalize is not installed: run `npm ci --prefix tests/interop`.");
        }

        var info = new ProcessStartInfo("node") { WorkingDirectory = interop, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "audit/verify.mjs", "bundle", log.Write(bundle), "--key", log.LogKey.Verifier.ToString(), "--key", log.WitnessKey.Verifier.ToString(), "--witnesses", "1" })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static string FindInterop()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "tests", "interop", "package.json"))) return Path.Combine(d.FullName, "tests", "interop");
        }

        throw new InvalidOperationException("tests/interop not found");
    }

    [Fact]
    public async Task It_verifies_a_whole_log_export_entry_by_entry_and_by_recomputing_the_root()
    {
        var result = await VerifyWithNodeAsync(await log.ExportAsync());

        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal(12, result.GetProperty("checked").GetInt32());
        Assert.True(result.GetProperty("wholeTreeRecomputed").GetBoolean());
        Assert.Equal(1, result.GetProperty("witnesses").GetInt32());
    }

    [Fact]
    public async Task It_finds_the_entry_we_altered()
    {
        var bundle = await log.ExportAsync();
        bundle["entry"]![2]!["resource"]!["agent"]![0]!["who"]!["identifier"]!["value"] = "O'Brien+N <x>";

        var result = await VerifyWithNodeAsync(bundle);

        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Equal(2, result.GetProperty("firstFailure").GetProperty("sequence").GetInt32());
    }
}
