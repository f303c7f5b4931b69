using System.Reflection;
using System.Xml.Linq;

namespace Platform.Architecture.Tests;

/// <summary>
/// The production assemblies of the platform, sorted into the rooms of design/architecture.md: building blocks,
/// services (each with its own assemblies), the gateway, and the tools that host or call the services.
/// </summary>
public static class Rooms
{
    public const string Contracts = "Platform.Contracts";

    /// <summary>Building blocks: each stands alone and knows no service.</summary>
    public static readonly string[] BuildingBlocks =
        ["Platform.Domain", "Platform.ServiceDefaults", "Platform.Persistence", "Platform.Grpc", "Platform.Messaging", "Platform.KnownTrusts"];

    /// <summary>Every assembly referenced by this test project, loaded by name (the project references them all).</summary>
    public static IReadOnlyList<Assembly> All { get; } = LoadReferenced();

    /// <summary>The service an assembly belongs to ("Consent" for Consent.Api and Consent.Domain), or null.</summary>
    public static string? ServiceOf(string assemblyName) => s_serviceOfAssembly.Value.GetValueOrDefault(assemblyName);

    // Assemblies of projects under services/<name>/ belong to that service; the name is the assembly's first part.
    private static readonly Lazy<Dictionary<string, string>> s_serviceOfAssembly = new(() =>
        ReferencedProjectFiles()
            .Where(p => p.StartsWith(Path.Combine(RepositoryRoot(), "services") + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Select(AssemblyNameOf)
            .ToDictionary(n => n, n => n.Split('.')[0]));

    public static IEnumerable<Assembly> ServiceAssemblies => All.Where(a => ServiceOf(Name(a)) is not null);

    public static IEnumerable<string> Services => ServiceAssemblies.Select(a => ServiceOf(Name(a))!).Distinct();

    /// <summary>The namespace a service's code lives under: Platform.Consent for the consent service.</summary>
    public static string NamespaceOf(string service) => "Platform." + service;

    public static Assembly Get(string name) =>
        All.SingleOrDefault(a => Name(a) == name) ?? throw new InvalidOperationException($"{name} is not referenced by Architecture.Tests.");

    public static string Name(Assembly a) => a.GetName().Name!;

    /// <summary>Names of the assemblies <paramref name="assembly"/> was compiled against and uses.</summary>
    public static IReadOnlyList<string> References(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(r => r.Name!).ToList();

    /// <summary>The repository's root: the folder holding Platform.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln"))) return dir.FullName;
        throw new InvalidOperationException("Platform.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The production projects of the repository: building blocks, contracts, services, the gateway.</summary>
    public static IEnumerable<string> ProductionProjectFiles()
    {
        var root = RepositoryRoot();
        return new[] { "building-blocks", "services", "gateway", "protos" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.csproj", SearchOption.AllDirectories))
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                        && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"));
    }

    /// <summary>The project files this test project references.</summary>
    public static IEnumerable<string> ReferencedProjectFiles()
    {
        var project = Path.Combine(RepositoryRoot(), "tests", "Architecture.Tests", "Architecture.Tests.csproj");
        return XDocument.Load(project).Descendants("ProjectReference")
            .Select(e => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, e.Attribute("Include")!.Value)));
    }

    private static List<Assembly> LoadReferenced()
    {
        var root = Path.GetDirectoryName(typeof(Rooms).Assembly.Location)!;
        var names = ReferencedProjectFiles().Select(AssemblyNameOf).ToList();
        return names.Select(n => Assembly.LoadFrom(Path.Combine(root, n + ".dll"))).ToList();
    }

    private static string AssemblyNameOf(string projectFile) =>
        XDocument.Load(projectFile).Descendants("AssemblyName").FirstOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(projectFile);
}
