using System.Reflection;
using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.Grpc.Server;

/// <summary>
/// Binds a service class to the methods of a protobuf service descriptor by name and signature. Runs once at startup;
/// every mismatch is reported together so a wrong service fails the app before it serves anything.
/// </summary>
internal static class ServiceBinder
{
    public static IReadOnlyList<ServerMethodHandler> Bind(
        Type serviceType, ServiceDescriptor service, GrpcServerOptions options, IServiceProvider services, ILogger logger)
    {
        if (!serviceType.IsClass || serviceType.IsAbstract)
        {
            throw new InvalidOperationException($"{serviceType.FullName} must be a non-abstract class to serve {service.FullName}.");
        }

        var activation = CreateActivation(serviceType, services);
        var errors = new List<string>();
        var handlers = new List<ServerMethodHandler>();
        var publicMethods = serviceType.GetMethods(BindingFlags.Public | BindingFlags.Instance);
        foreach (var method in service.Methods)
        {
            var requestType = method.InputType.ClrType;
            var responseType = method.OutputType.ClrType;
            if (requestType is null || responseType is null)
            {
                errors.Add($"{method.FullName}: the descriptor has no generated C# message types (compile the .proto with Grpc.Tools).");
                continue;
            }

            var expected = ExpectedSignatures(method, requestType, responseType);
            var candidates = publicMethods.Where(m => m.Name == method.Name).ToArray();
            if (candidates.Length != 1)
            {
                errors.Add(candidates.Length == 0
                    ? $"{method.FullName}: no public method {method.Name}; expected {string.Join(" or ", expected)}."
                    : $"{method.FullName}: {method.Name} is overloaded; expected exactly one {string.Join(" or ", expected)}.");
                continue;
            }

            var handlerType = MatchHandler(candidates[0], method, requestType, responseType);
            if (handlerType is null)
            {
                errors.Add($"{method.FullName}: {Describe(candidates[0])} does not match; expected {string.Join(" or ", expected)}.");
                continue;
            }

            var closed = handlerType.MakeGenericType(serviceType, requestType, responseType);
            handlers.Add((ServerMethodHandler)Activator.CreateInstance(closed, activation, method, candidates[0], options, logger)!);
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException(
                $"Cannot bind {serviceType.FullName} to gRPC service {service.FullName}:{Environment.NewLine} - " +
                string.Join(Environment.NewLine + " - ", errors));
        }

        return handlers;
    }

    private static ServiceActivation CreateActivation(Type serviceType, IServiceProvider services)
    {
        if (services.GetService<IServiceProviderIsService>()?.IsService(serviceType) == true)
        {
            return new ServiceActivation(sp => sp.GetRequiredService(serviceType), DisposeAfterCall: false);
        }

        var constructors = serviceType.GetConstructors();
        if (constructors.Length == 1 && constructors[0].GetParameters().Length == 0)
        {
            // Nothing to inject: skip HttpContext.RequestServices, which would create a DI scope per call for nothing.
            var create = System.Linq.Expressions.Expression.Lambda<Func<object>>(System.Linq.Expressions.Expression.New(constructors[0])).Compile();
            return new ServiceActivation(_ => create(), DisposeAfterCall: true, UsesServices: false);
        }

        var factory = ActivatorUtilities.CreateFactory(serviceType, Type.EmptyTypes);
        return new ServiceActivation(sp => factory(sp, null), DisposeAfterCall: true);
    }

    private static Type? MatchHandler(MethodInfo candidate, MethodDescriptor method, Type request, Type response)
    {
        var parameters = candidate.GetParameters().Select(p => p.ParameterType).ToArray();
        var ret = candidate.ReturnType;
        var reader = typeof(IAsyncStreamReader<>).MakeGenericType(request);
        var writer = typeof(IServerStreamWriter<>).MakeGenericType(response);
        var taskOfResponse = typeof(Task<>).MakeGenericType(response);
        var context = typeof(ServerCallContext);

        return (method.IsClientStreaming, method.IsServerStreaming) switch
        {
            (false, false) when ret == taskOfResponse && parameters.SequenceEqual([request, context]) => typeof(UnaryHandler<,,>),
            (false, true) when ret == typeof(Task) && parameters.SequenceEqual([request, writer, context]) => typeof(ServerStreamingHandler<,,>),
            (false, true) when ret == typeof(IAsyncEnumerable<>).MakeGenericType(response) && parameters.SequenceEqual([request, context]) => typeof(ServerStreamingHandler<,,>),
            (true, false) when ret == taskOfResponse && parameters.SequenceEqual([reader, context]) => typeof(ClientStreamingHandler<,,>),
            (true, true) when ret == typeof(Task) && parameters.SequenceEqual([reader, writer, context]) => typeof(DuplexStreamingHandler<,,>),
            _ => null,
        };
    }

    private static string[] ExpectedSignatures(MethodDescriptor method, Type request, Type response)
    {
        var (req, res, name) = (request.Name, response.Name, method.Name);
        return (method.IsClientStreaming, method.IsServerStreaming) switch
        {
            (false, false) => [$"Task<{res}> {name}({req}, ServerCallContext)"],
            (false, true) => [$"Task {name}({req}, IServerStreamWriter<{res}>, ServerCallContext)", $"IAsyncEnumerable<{res}> {name}({req}, ServerCallContext)"],
            (true, false) => [$"Task<{res}> {name}(IAsyncStreamReader<{req}>, ServerCallContext)"],
            (true, true) => [$"Task {name}(IAsyncStreamReader<{req}>, IServerStreamWriter<{res}>, ServerCallContext)"],
        };
    }

    private static string Describe(MethodInfo method) =>
        $"{Name(method.ReturnType)} {method.Name}({string.Join(", ", method.GetParameters().Select(p => Name(p.ParameterType)))})";

    private static string Name(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>"
        : type.Name;
}
