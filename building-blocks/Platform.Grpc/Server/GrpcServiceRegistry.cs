using Google.Protobuf.Reflection;

namespace Platform.Grpc.Server;

/// <summary>The services mapped in this app, and an index of their .proto files for reflection and health.</summary>
internal sealed class GrpcServiceRegistry
{
    private readonly List<ServiceDescriptor> _services = [];
    private readonly Lock _lock = new();
    private Dictionary<string, FileDescriptor>? _filesByName;
    private Dictionary<string, FileDescriptor>? _filesBySymbol;

    public bool UnimplementedRouteMapped { get; set; }

    public IReadOnlyList<ServiceDescriptor> Services
    {
        get
        {
            lock (_lock)
            {
                return _services.ToArray();
            }
        }
    }

    public void Add(ServiceDescriptor service)
    {
        lock (_lock)
        {
            if (_services.Any(s => s.FullName == service.FullName))
            {
                throw new InvalidOperationException($"gRPC service {service.FullName} is mapped twice.");
            }

            _services.Add(service);
            _filesByName = null;
            _filesBySymbol = null;
        }
    }

    public bool IsKnownService(string name)
    {
        lock (_lock)
        {
            return _services.Any(s => s.FullName == name);
        }
    }

    public FileDescriptor? FindFileByName(string name)
    {
        EnsureIndex();
        return _filesByName!.GetValueOrDefault(name);
    }

    public FileDescriptor? FindFileBySymbol(string symbol)
    {
        EnsureIndex();
        return _filesBySymbol!.GetValueOrDefault(symbol.TrimStart('.'));
    }

    private void EnsureIndex()
    {
        lock (_lock)
        {
            if (_filesByName is not null)
            {
                return;
            }

            var byName = new Dictionary<string, FileDescriptor>(StringComparer.Ordinal);
            var bySymbol = new Dictionary<string, FileDescriptor>(StringComparer.Ordinal);
            foreach (var service in _services)
            {
                AddFile(service.File, byName, bySymbol);
            }

            _filesByName = byName;
            _filesBySymbol = bySymbol;
        }
    }

    private static void AddFile(FileDescriptor file, Dictionary<string, FileDescriptor> byName, Dictionary<string, FileDescriptor> bySymbol)
    {
        if (!byName.TryAdd(file.Name, file))
        {
            return;
        }

        foreach (var service in file.Services)
        {
            bySymbol.TryAdd(service.FullName, file);
            foreach (var method in service.Methods)
            {
                bySymbol.TryAdd(method.FullName, file);
            }
        }

        foreach (var message in file.MessageTypes)
        {
            AddMessage(message, file, bySymbol);
        }

        foreach (var enumType in file.EnumTypes)
        {
            bySymbol.TryAdd(enumType.FullName, file);
        }

        foreach (var dependency in file.Dependencies)
        {
            AddFile(dependency, byName, bySymbol);
        }
    }

    private static void AddMessage(MessageDescriptor message, FileDescriptor file, Dictionary<string, FileDescriptor> bySymbol)
    {
        bySymbol.TryAdd(message.FullName, file);
        foreach (var nested in message.NestedTypes)
        {
            AddMessage(nested, file, bySymbol);
        }

        foreach (var enumType in message.EnumTypes)
        {
            bySymbol.TryAdd(enumType.FullName, file);
        }
    }
}
