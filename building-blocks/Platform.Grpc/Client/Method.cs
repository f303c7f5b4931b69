using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Platform.Grpc.Client;

/// <summary>The kind of call a method makes, from its streaming flags.</summary>
public enum MethodType
{
    Unary,
    ClientStreaming,
    ServerStreaming,
    DuplexStreaming,
}

/// <summary>
/// A typed handle on one remote method, made from the generated descriptor so the path and message types cannot drift:
/// <c>Method&lt;CheckUseRequest, CheckUseReply&gt;.From(ConsentReflection.Descriptor.Services[0], "CheckUse")</c>.
/// </summary>
public sealed class Method<TRequest, TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private Method(string fullName, MethodType type, MessageParser<TResponse> responseParser)
    {
        FullName = fullName;
        Type = type;
        ResponseParser = responseParser;
    }

    /// <summary>The path, e.g. <c>/grpc.testing.TestService/UnaryCall</c>.</summary>
    public string FullName { get; }

    public MethodType Type { get; }

    internal MessageParser<TResponse> ResponseParser { get; }

    /// <summary>Looks the method up in a service descriptor and checks its message types and streaming kind.</summary>
    public static Method<TRequest, TResponse> From(ServiceDescriptor service, string methodName)
    {
        var method = service.FindMethodByName(methodName)
            ?? throw new ArgumentException($"{service.FullName} has no method {methodName}.", nameof(methodName));
        if (method.InputType.ClrType != typeof(TRequest) || method.OutputType.ClrType != typeof(TResponse))
        {
            throw new ArgumentException(
                $"{method.FullName} takes {method.InputType.ClrType?.Name} and returns {method.OutputType.ClrType?.Name}, not {typeof(TRequest).Name} and {typeof(TResponse).Name}.");
        }

        var type = (method.IsClientStreaming, method.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (true, false) => MethodType.ClientStreaming,
            (false, true) => MethodType.ServerStreaming,
            (true, true) => MethodType.DuplexStreaming,
        };
        return new Method<TRequest, TResponse>($"/{service.FullName}/{method.Name}", type, (MessageParser<TResponse>)method.OutputType.Parser);
    }

    /// <summary>A method by path, for calling something the caller has no descriptor for (tests, unknown methods).</summary>
    public static Method<TRequest, TResponse> Create(string fullName, MethodType type, MessageParser<TResponse> responseParser) =>
        new(fullName.StartsWith('/') ? fullName : "/" + fullName, type, responseParser);

    public override string ToString() => FullName;
}
