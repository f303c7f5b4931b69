using System.CommandLine;

namespace Platform.Tools.AuditVerifier;

public static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error, CancellationToken.None);

    /// <summary>Runs the command line with the given output, so tests see exactly what a user sees.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var keys = new Option<string[]>("--key")
        {
            Description = "A verifier key (name+keyid+base64): the log's keys (several across a rotation) and the witnesses' keys. Repeat it.",
            AllowMultipleArgumentsPerToken = false,
        };
        var keyFiles = new Option<string[]>("--keys-file") { Description = "A file of verifier keys, one per line." };
        var witnesses = new Option<int?>("--witnesses") { Description = "How many witness cosignatures the checkpoint needs (default: every witness key given)." };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A signed checkpoint you hold (a file). The bundle must be proved against it; the database is checked against it." };

        var bundlePath = new Argument<string>("export") { Description = "The exported FHIR Bundle (JSON)." };
        var bundle = new Command("bundle", "Verify an exported bundle: every entry's hash, its inclusion proof, the order and the checkpoint's signatures.")
        {
            bundlePath, keys, keyFiles, witnesses, checkpoint,
        };

        var connection = new Option<string>("--connection") { Description = "A PostgreSQL connection string (a role that may read the trust's audit rows).", Required = true };
        var first = new Option<long?>("--first") { Description = "The first sequence to check (default 1)." };
        var last = new Option<long?>("--last") { Description = "The last sequence to check (default: the checkpoint's size)." };
        var database = new Command("database", "Verify the audit tables of a database against a checkpoint (given, or the newest stored one, verified).")
        {
            connection, keys, keyFiles, witnesses, checkpoint, first, last,
        };

        var root = new RootCommand("Verifies a trust's audit log against its signed checkpoints, trusting only the data, the proofs and the keys you give.")
        {
            bundle, database,
        };

        bundle.SetAction((parse, ct) => Guarded(output, async () =>
        {
            var check = Check(parse, keys, keyFiles, witnesses, output);
            return check is null ? ExitCodes.Unusable : await check.BundleAsync(parse.GetRequiredValue(bundlePath), parse.GetValue(checkpoint), ct);
        }));
        database.SetAction((parse, ct) => Guarded(output, async () =>
        {
            var check = Check(parse, keys, keyFiles, witnesses, output);
            if (check is null) return ExitCodes.Unusable;
            await using var db = PostgresAuditLogDatabase.Open(parse.GetRequiredValue(connection));
            return await check.DatabaseAsync(db, parse.GetValue(checkpoint), parse.GetValue(first), parse.GetValue(last), ct);
        }));

        var parsed = root.Parse(args);
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    // A verifier that cannot finish (an unreadable file, an unreachable database) must never look like a verdict:
    // it says what went wrong and exits "unusable", not "broken".
    private static async Task<int> Guarded(TextWriter output, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            output.WriteLine($"Error:        the check could not finish: {e.Message}");
            return ExitCodes.Unusable;
        }
    }

    private static LogCheck? Check(ParseResult parse, Option<string[]> keys, Option<string[]> keyFiles, Option<int?> witnesses, TextWriter output)
    {
        var trusted = TrustedKeys.From(parse.GetValue(keys) ?? [], parse.GetValue(keyFiles) ?? []);
        if (trusted.IsRefused)
        {
            output.WriteLine($"Error:        {trusted.Refusal!.Message}");
            return null;
        }

        var required = parse.GetValue(witnesses) ?? trusted.Value.WitnessKeys.Count;
        if (required < 0 || required > trusted.Value.WitnessKeys.Count)
        {
            output.WriteLine($"Error:        --witnesses {required} needs that many witness keys; {trusted.Value.WitnessKeys.Count} given.");
            return null;
        }

        return new LogCheck(trusted.Value, required, output);
    }
}
