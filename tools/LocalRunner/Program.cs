using System.Runtime.InteropServices;

namespace Platform.Tools.LocalRunner;

public static class Program
{
    private const string Usage = """
        Runs the whole platform locally: the gateway, four services and the identity service in one process, on SQLite
        under ./data, with a seeded demo region. It prints the demo clients' credentials and how to get a token for one
        from the identity service's token endpoint.

          dotnet run --project tools/LocalRunner                 start everything (Ctrl+C stops)
        Options: --data DIR (default ./data)  --port-offset N (move every port by N)  --verbose (service logs)
        """;

    public static async Task<int> Main(string[] args)
    {
        var data = Option(args, "--data") ?? DefaultDataDirectory();
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        if (!int.TryParse(Option(args, "--port-offset") ?? "0", out var offset) || offset is < 0 or > 50000)
        {
            Console.Error.WriteLine("--port-offset must be a whole number from 0 to 50000.");
            return 2;
        }
        return await Run(new LocalPlatformOptions(Path.GetFullPath(data), offset, args.Contains("--verbose")));
    }

    private static async Task<int> Run(LocalPlatformOptions options)
    {
        using var stopping = new CancellationTokenSource();
        // Disposed before `stopping`: no handler can fire on a disposed source.
        using var signals = StopOn(stopping, PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT);

        LocalPlatform platform;
        try
        {
            Console.WriteLine($"Starting the platform (data in {options.DataDirectory}) ...");
            platform = await LocalPlatform.StartAsync(options, stopping.Token);
        }
        catch (PortInUseException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // Asked to stop while starting (whatever the step that was cut short threw): StartAsync has stopped what it started.
            Console.WriteLine("Stopped.");
            return 0;
        }

        var exitCode = 0;
        await using (platform)
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token, platform.StopRequested);
            try
            {
                await platform.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), either.Token);
                PrintBanner(platform);
                await Task.Delay(Timeout.Infinite, either.Token);
            }
            catch (OperationCanceledException) when (either.IsCancellationRequested)
            {
            }
            if (!stopping.IsCancellationRequested)
            {
                Console.Error.WriteLine($"{platform.StoppedOnItsOwn} stopped on its own; stopping the platform.");
                exitCode = 1;
            }
            Console.WriteLine($"Stopping (at most {LocalPlatform.ShutdownTimeout.TotalSeconds:0} s; Ctrl+C again stops at once) ...");
        }
        Console.WriteLine("Stopped.");
        return exitCode;
    }

    /// <summary>
    /// The first SIGTERM (Kubernetes, systemd, `kill`), Ctrl+C or SIGQUIT stops the platform cleanly; a second one while
    /// it is stopping gets the signal's default, which ends the process at once.
    /// </summary>
    private static CompositeDisposable StopOn(CancellationTokenSource stopping, params PosixSignal[] signals) =>
        new(signals.Select(signal => PosixSignalRegistration.Create(signal, context =>
        {
            if (stopping.IsCancellationRequested) return;
            context.Cancel = true;
            stopping.Cancel();
        })));

    private sealed class CompositeDisposable(IEnumerable<IDisposable> items) : IDisposable
    {
        private readonly List<IDisposable> _items = items.ToList();

        public void Dispose() => _items.ForEach(i => i.Dispose());
    }

    private static void PrintBanner(LocalPlatform platform)
    {
        Console.WriteLine();
        Console.WriteLine("The platform is running. Health endpoints need no token; everything else does.");
        Console.WriteLine();
        Console.WriteLine($"  {"app",-12} {"HTTP (REST, health, events)",-32} gRPC (h2c)");
        foreach (var (spec, _) in platform.Running)
            Console.WriteLine($"  {spec.Name,-12} {$"http://127.0.0.1:{platform.HttpPort(spec)}",-32} 127.0.0.1:{platform.GrpcPort(spec)}");
        Console.WriteLine();
        Console.WriteLine("Demo region:");
        foreach (var t in DemoRegion.Trusts)
            Console.WriteLine($"  {t.OdsCode}  {t.Name}: wards {string.Join(", ", t.Wards.Select(w => $"{w.Code} ({w.Setting})"))}");
        Console.WriteLine();
        Console.WriteLine($"Demo clients (tokens from {platform.TokenEndpoint}, valid 10 minutes; secrets kept in {Path.Combine(platform.Options.DataDirectory, "demo-clients.json")}):");
        Console.WriteLine($"  {"client id",-22} {"trust",-6} {"roles",-40} secret");
        foreach (var c in platform.DemoClients)
            Console.WriteLine($"  {c.ClientId,-22} {c.OdsCode,-6} {string.Join(' ', c.Roles),-40} {c.Secret}");
        Console.WriteLine($"  {LocalPlatform.RegionOperatorClientId,-22} {"-",-6} {"region-operator",-40} {platform.RegionOperatorSecret}");
        var consent = platform.Running.First(r => r.Spec.Name == "consent").Spec;
        var epr = platform.DemoClients.First(c => c.ClientId == DemoRegion.ClientId("RX3", "epr"));
        Console.WriteLine();
        Console.WriteLine("Try (a token for RX3's EPR client, a clinician; the README walks on to CheckUse):");
        Console.WriteLine($"  TOKEN=$(curl -s -u {epr.ClientId}:{epr.Secret} -d grant_type=client_credentials {platform.TokenEndpoint} | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')");
        Console.WriteLine($"  curl -s -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:{platform.HttpPort(consent)}/me");
        Console.WriteLine($"  curl -s http://127.0.0.1:{platform.HttpPort(consent)}/health/ready");
        Console.WriteLine();
        Console.WriteLine($"CheckUse for RX3's patient {platform.DemoUse.PatientId} on OAK and the Ward companion app {platform.DemoUse.TechnologyId} (PERMIT), with that token ({DemoRegion.ClientId("RX3", "device")}'s would do too):");
        Console.WriteLine($"  grpcurl -plaintext -H \"authorization: Bearer $TOKEN\" -d '{{\"patient_id\":\"{platform.DemoUse.PatientId}\",\"technology_id\":\"{platform.DemoUse.TechnologyId}\",\"ward_code\":\"OAK\",\"purpose\":\"USE_PURPOSE_DIRECT_CARE_OR_TREATMENT\"}}' 127.0.0.1:{platform.GrpcPort(consent)} platform.consent.v1.ConsentService/CheckUse");
        var procurement = platform.Running.First(r => r.Spec.Name == "procurement").Spec;
        var lead = platform.DemoClients.First(c => c.ClientId == DemoRegion.ClientId("RX3", "lead"));
        Console.WriteLine();
        Console.WriteLine("That approval came from RX3's procurement case for the app on acute-adult wards, every gate passed (as the procurement lead):");
        Console.WriteLine($"  LEAD=$(curl -s -u {lead.ClientId}:{lead.Secret} -d grant_type=client_credentials {platform.TokenEndpoint} | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')");
        Console.WriteLine($"  curl -s -H \"Authorization: Bearer $LEAD\" \"http://127.0.0.1:{platform.HttpPort(procurement)}/procurement/v1/cases?technologyId={platform.DemoUse.TechnologyId}\"");
        Console.WriteLine();
        Console.WriteLine("Ctrl+C stops everything.");
    }

    // <repository>/data wherever the command is run from inside the repository (dotnet run may change the working
    // directory to the project's); else ./data.
    private static string DefaultDataDirectory()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln"))) return Path.Combine(dir.FullName, "data");
        }
        return Path.Combine(Directory.GetCurrentDirectory(), "data");
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
