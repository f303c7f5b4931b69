using System.Diagnostics;
using System.Net;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Platform.Audit.Api.Checkpoints;
using Platform.Audit.Domain.Checkpoints;
using Platform.Audit.Domain.Notes;
using Platform.Messaging.CloudEvents;
using Platform.Testing;
using Xunit;

namespace Platform.Audit.Api.Tests;

/// <summary>Log keys made once per test run, as the secret store would hand them to the service.</summary>
public static class AuditTestKeys
{
    public const string Deployment = "audit.test.example";

    /// <summary>Trusts whose logs have a signing key in the test apps.</summary>
    public static readonly string[] KeyedTrusts = ["PRF1", "PRF2", "TMP1", "GRP1", "GRP2", "ROL1", "WIT1", "CLK1", "ACC1", "AAA7", "CKA1", "CKB1", "RGC1", "RGC2", "RGC3", "RGC4"];

    public static readonly Dictionary<string, NoteSigningKey> LogKeys =
        KeyedTrusts.ToDictionary(t => t, t => NoteSigningKey.Generate(LogOrigin.For(Deployment, t), NoteSignatureType.Ed25519));

    public static readonly NoteSigningKey WitnessKey = NoteSigningKey.Generate("witness.test.example", NoteSignatureType.CosignatureV1);

    public static Dictionary<string, string?> Settings(bool checkpointer = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Audit:Origin"] = Deployment,
            ["Audit:CheckpointerEnabled"] = checkpointer ? "true" : "false",
        };
        foreach (var (trust, key) in LogKeys) settings[$"Audit:LogKeys:{trust}"] = key.ToSecretString();
        return settings;
    }
}

/// <summary>The audit service on real PostgreSQL; checkpoints are signed when a test asks (<see cref="CheckpointAsync"/>).</summary>
public sealed class AuditServiceFixture : IAsyncLifetime
{
    public ServiceFactory<Program> App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await ServiceFactory<Program>.StartOnPostgresAsync("audit", AuditTestKeys.Settings());

    public async Task DisposeAsync() => await App.DisposeAsync();

    public Task<int> CheckpointAsync() => App.Services.GetRequiredService<Checkpointer>().CheckpointAsync(CancellationToken.None);
}

/// <summary>
/// Two audit services: a region's witness (its own database, its own cosignature key, following trust WIT1's log)
/// and the trust's service, whose checkpointer runs on a fake clock and asks that witness to cosign.
/// </summary>
public sealed class WitnessedAuditFixture : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public ServiceFactory<Program> Witness { get; private set; } = null!;

    public ServiceFactory<Program> App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var witness = new Dictionary<string, string?>
        {
            ["Audit:Origin"] = "audit.region-witness.example",
            ["Audit:CheckpointerEnabled"] = "false",
        };
        witness["Audit:WitnessKey"] = AuditTestKeys.WitnessKey.ToSecretString();
        witness["Audit:FollowedLogs:0:Origin"] = LogOrigin.For(AuditTestKeys.Deployment, "WIT1");
        witness["Audit:FollowedLogs:0:Keys:0"] = AuditTestKeys.LogKeys["WIT1"].Verifier.ToString();
        Witness = await ServiceFactory<Program>.StartOnPostgresAsync("audit", witness);

        var app = AuditTestKeys.Settings(checkpointer: true);
        app["Audit:Witnesses:0:Name"] = "region-witness";
        app["Audit:Witnesses:0:Url"] = new Uri(Witness.HttpAddress, "/witness/add-checkpoint").ToString();
        app["Audit:Witnesses:0:Key"] = AuditTestKeys.WitnessKey.Verifier.ToString();
        App = await ServiceFactory<Program>.StartOnPostgresAsync("audit", app, services => services.AddSingleton<TimeProvider>(Clock));
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Witness.DisposeAsync();
    }
}

public static class AuditEvents
{
    /// <summary>Delivers an event as Dapr's sidecar would and returns the reply's status.</summary>
    public static async Task<string?> DeliverAsync(ServiceFactory<Program> app, IMessage message, string tenant, string id, string? source = null)
    {
        using var http = app.CreateHttpClient();
        var name = EventName.For(message.Descriptor);
        var route = await SidecarDelivery.RouteForAsync(http, name.Topic);
        var ce = new CloudEvent
        {
            Id = id, Source = source ?? "/" + name.Service, Type = name.Type, Subject = id, Time = DateTimeOffset.UtcNow, Tenant = tenant,
            DataJson = JsonFormatter.Default.Format(message),
        };
        var (code, status) = await SidecarDelivery.DeliverAsync(http, route, ce.ToJson());
        Assert.Equal(HttpStatusCode.OK, code);
        return status;
    }

    public static Contracts.Consent.V1.UseAuthorised UseAuthorised(string patient, string subject = "nurse-4411") => new()
    {
        UseId = Guid.NewGuid().ToString(), PatientId = patient, Actor = new Contracts.Common.V1.Actor { Subject = subject, Role = "clinician" },
    };
}

/// <summary>Waits for a condition the app reaches on its own (a background round), failing after a generous deadline.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T?>> probe, string what) where T : class
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } found) return found;
            if (deadline.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"Gave up waiting for {what}.");
            await Task.Delay(20);
        }
    }
}

/// <summary>The JavaScript verifier written from the RFCs (tests/interop/audit/verify.mjs), run on a file.</summary>
public static class JavaScriptVerifier
{
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var interop = FindInterop();
        if (!Directory.Exists(Path.Combine(interop, "node_modules", "canonicalize")))
        {
            throw new InvalidOperationException("The npm package canonicalize is not installed: run `npm ci --prefix tests/interop`.");
        }

        var info = new ProcessStartInfo("node") { WorkingDirectory = interop, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("audit/verify.mjs");
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    private static string FindInterop()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "tests", "interop", "package.json"))) return Path.Combine(d.FullName, "tests", "interop");
        }

        throw new InvalidOperationException("tests/interop not found");
    }
}
