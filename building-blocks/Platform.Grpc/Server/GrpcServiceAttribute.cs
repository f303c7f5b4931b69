using System.Reflection;
using Google.Protobuf.Reflection;

namespace Platform.Grpc.Server;

/// <summary>
/// Names the protobuf service a class implements, so <c>app.MapGrpcService&lt;T&gt;()</c> can bind its public methods
/// to the methods of the generated descriptor. <paramref name="reflectionType"/> is the class protoc generates for the
/// .proto file (for <c>consent.proto</c>, <c>ConsentReflection</c>); <paramref name="serviceName"/> is needed only when
/// the file declares more than one service.
/// </summary>
/// <example><code>
/// [GrpcService(typeof(ConsentReflection))]
/// public sealed class ConsentGrpcService(IConsentStore store)
/// {
///     public Task&lt;CheckUseReply&gt; CheckUse(CheckUseRequest request, ServerCallContext context) { ... }
/// }
/// </code></example>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GrpcServiceAttribute(Type reflectionType, string? serviceName = null) : Attribute
{
    /// <summary>The protoc-generated reflection class with a static <c>Descriptor</c> property.</summary>
    public Type ReflectionType { get; } = reflectionType;

    /// <summary>The service name (short or full), or null when the file has one service.</summary>
    public string? ServiceName { get; } = serviceName;

    internal static ServiceDescriptor Resolve(Type serviceType)
    {
        var attribute = serviceType.GetCustomAttribute<GrpcServiceAttribute>()
            ?? throw new InvalidOperationException(
                $"{serviceType.FullName} has no [GrpcService(typeof(XxxReflection))] attribute; add one or call MapGrpcService<T>(ServiceDescriptor).");
        var property = attribute.ReflectionType.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static);
        if (property?.GetValue(null) is not FileDescriptor file)
        {
            throw new InvalidOperationException(
                $"{attribute.ReflectionType.FullName} is not a protoc-generated reflection class (no static Descriptor property).");
        }

        var candidates = file.Services
            .Where(s => attribute.ServiceName is null || s.Name == attribute.ServiceName || s.FullName == attribute.ServiceName)
            .ToList();
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw new InvalidOperationException(
                $"{file.Name} declares no service named '{attribute.ServiceName}' (it declares: {string.Join(", ", file.Services.Select(s => s.FullName))})."),
            _ => throw new InvalidOperationException(
                $"{file.Name} declares several services ({string.Join(", ", candidates.Select(s => s.FullName))}); name one in [GrpcService(typeof(...), \"Name\")]."),
        };
    }
}

/// <summary>Endpoint metadata on every gRPC endpoint: which service and method it serves (null method: the unimplemented catch-all).</summary>
public sealed record GrpcMethodMetadata(ServiceDescriptor? Service, MethodDescriptor? Method);
