using System.Runtime.InteropServices;

namespace Platform.Tools.LocalRunner;

public static class Program
{
    private const string Usage = """
        Runs the whole platform locally: the gateway and four services in one process, on SQLite under ./data,
        with a seeded demo region.

          dotnet run --project tools/LocalRunner                 start everything (Ctrl+C stops)
          dotnet run --project tools/LocalRunner -- token --tenant RX3 [--role clinician] [--minutes 60]
                                                                 print a development token
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
        if (args.FirstOrDefault() == "token") return Token(args, data);
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
        Console.WriteLine("Tokens (valid 60 minutes; a clinician of each trust):");
        foreach (var t in DemoRegion.Trusts)
            Console.WriteLine($"  {t.OdsCode}: {platform.Tokens.Mint(t.OdsCode, ["clinician"], TimeSpan.FromMinutes(60), "dev-clinician")}");
        var consent = platform.Running.First(r => r.Spec.Name == "consent").Spec;
        Console.WriteLine();
        Console.WriteLine("Try:");
        Console.WriteLine($"  curl -s http://127.0.0.1:{platform.HttpPort(consent)}/health/ready");
        Console.WriteLine($"  curl -s -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:{platform.HttpPort(consent)}/me");
        Console.WriteLine("  TOKEN=$(dotnet run --project tools/LocalRunner -- token --tenant RTQ --role auditor)");
        Console.WriteLine();
        Console.WriteLine("Ctrl+C stops everything.");
    }

    private static int Token(string[] args, string data)
    {
        var tenant = Option(args, "--tenant");
        if (!Platform.Domain.OdsCode.IsValid(tenant))
        {
            Console.Error.WriteLine("token needs --tenant with a trust's ODS code, e.g. --tenant RX3.");
            return 2;
        }
        var roles = args.Select((a, i) => (a, i)).Where(x => x.a == "--role" && x.i + 1 < args.Length).Select(x => args[x.i + 1]).ToArray();
        if (!int.TryParse(Option(args, "--minutes") ?? "60", out var minutes) || minutes is < 1 or > 480)
        {
            Console.Error.WriteLine("--minutes must be from 1 to 480: development tokens are short-lived.");
            return 2;
        }
        var issuer = DevTokenIssuer.LoadOrCreate(Path.GetFullPath(data));
        Console.WriteLine(issuer.Mint(tenant, roles.Length == 0 ? ["clinician"] : roles, TimeSpan.FromMinutes(minutes), "dev-user"));
        return 0;
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
