using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;
using Platform.Domain;

namespace Platform.Grpc.Interceptors;

/// <summary>
/// What every platform gRPC call goes through, in one interceptor (each interceptor Grpc.AspNetCore runs costs an
/// async frame and an activation per call, measured in tools/bench/GrpcBench):
/// <list type="number">
/// <item>the method's <see cref="RequiresRoleAttribute"/> (read from the endpoint's metadata, where Grpc.AspNetCore puts
/// the attributes of the service class and its overrides): a caller without one of the roles is refused with
/// PERMISSION_DENIED, rule <c>role.required</c>, before the handler runs;</item>
/// <item>the one place a refusal becomes a gRPC status: a <see cref="RefusalException"/> leaving the handler ends the
/// call with the refusal's status code and message, the standard rich error model in <c>grpc-status-details-bin</c>
/// (google.rpc.Status with ErrorInfo{reason = rule code, domain = the service's proto package without its version,
/// metadata}, plus BadRequest naming the field for invalid input) and the rule code in the <c>platform-refusal-rule</c>
/// trailer. Other exceptions pass through untouched: Grpc.AspNetCore answers UNKNOWN with no detail.</item>
/// <item>a unary request whose Timestamp or Duration fields hold values their types do not allow is refused with
/// INVALID_ARGUMENT naming the field (<see cref="WellKnownValues"/>), before the handler runs;</item>
/// <item>a client that resets a client-streaming or duplex call while it is sending ends it as CANCELLED, not as a fault
/// in the log (<see cref="ClientResetReader{T}"/>).</item>
/// </list>
/// </summary>
public sealed class CallPolicyInterceptor : Interceptor
{
    /// <summary>Trailer that carries the refusal's stable rule code, for clients that read no rich status.</summary>
    public const string RuleTrailer = "platform-refusal-rule";

    /// <summary>The rule code of a call refused for want of a role.</summary>
    public const string RoleRequiredRule = "role.required";

    private static readonly Dictionary<string, string> s_noMetadata = [];

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Task<TResponse> call;
        try
        {
            CheckRole(context);
            // A Timestamp or Duration its type does not allow would throw in the handler (UNKNOWN): refuse it by field.
            if (request is Google.Protobuf.IMessage message && WellKnownValues.Check(message) is { } outOfRange)
                throw new RefusalException(outOfRange);
            call = continuation(request, context);
        }
        catch (RefusalException refused)
        {
            throw ToRpcException(refused, context.Method);
        }

        // A handler that finished synchronously costs no extra async frame here.
        return call.IsCompletedSuccessfully ? call : Awaited(call, context.Method);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            CheckRole(context);
            return Awaited(continuation(new ClientResetReader<TRequest>(requestStream), context), context.Method);
        }
        catch (RefusalException refused)
        {
            throw ToRpcException(refused, context.Method);
        }
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            CheckRole(context);
            return Awaited(continuation(request, responseStream, context), context.Method);
        }
        catch (RefusalException refused)
        {
            throw ToRpcException(refused, context.Method);
        }
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            CheckRole(context);
            return Awaited(continuation(new ClientResetReader<TRequest>(requestStream), responseStream, context), context.Method);
        }
        catch (RefusalException refused)
        {
            throw ToRpcException(refused, context.Method);
        }
    }

    /// <summary>The status a refusal ends a call with, for the method named <paramref name="method"/> (<c>/package.Service/Method</c>).</summary>
    public static RpcException ToRpcException(RefusalException refused, string method)
    {
        var refusal = refused.Refusal;
        var info = new ErrorInfo { Reason = refusal.Rule, Domain = DomainOf(method) };
        foreach (var (key, value) in refused.Metadata ?? s_noMetadata)
        {
            info.Metadata[key] = value;
        }

        var status = new Google.Rpc.Status { Code = (int)ToStatusCode(refusal.Kind), Message = refusal.Message };
        BadRequest? badRequest = null;
        if (refusal.Kind == RefusalKind.InvalidArgument)
        {
            var field = refusal.Field ?? FieldOf(refusal.Rule);
            info.Metadata["field"] = field;
            badRequest = new BadRequest
            {
                FieldViolations = { new BadRequest.Types.FieldViolation { Field = field, Description = refusal.Message, Reason = refusal.Rule } },
            };
        }

        // Any.Pack serializes the message there and then: pack each detail once it is complete.
        status.Details.Add(Google.Protobuf.WellKnownTypes.Any.Pack(info));
        if (badRequest is not null)
        {
            status.Details.Add(Google.Protobuf.WellKnownTypes.Any.Pack(badRequest));
        }

        var exception = status.ToRpcException();
        exception.Trailers.Add(RuleTrailer, refusal.Rule);
        return exception;
    }

    public static StatusCode ToStatusCode(RefusalKind kind) => kind switch
    {
        RefusalKind.InvalidArgument => StatusCode.InvalidArgument,
        RefusalKind.NotFound => StatusCode.NotFound,
        RefusalKind.AlreadyExists => StatusCode.AlreadyExists,
        RefusalKind.FailedPrecondition => StatusCode.FailedPrecondition,
        RefusalKind.PermissionDenied => StatusCode.PermissionDenied,
        _ => StatusCode.Unknown,
    };

    private static void CheckRole(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        if (http.GetEndpoint()?.Metadata.GetMetadata<RequiresRoleAttribute>() is not { } required)
        {
            return;
        }

        foreach (var role in required.Roles)
        {
            if (http.User.IsInRole(role))
            {
                return;
            }
        }

        throw new RefusalException(
            Refusal.Denied(RoleRequiredRule, $"This needs the {string.Join(" or ", required.Roles)} role."),
            new Dictionary<string, string> { ["roles"] = string.Join(",", required.Roles) });
    }

    // "/platform.consent.v1.ConsentService/CheckUse" -> "platform.consent": the service's proto package without its
    // version, so that a rule code keeps its meaning when the API gains a v2.
    private static string DomainOf(string method)
    {
        var service = method.AsSpan().TrimStart('/');
        var slash = service.IndexOf('/');
        if (slash >= 0) service = service[..slash];
        var dot = service.LastIndexOf('.');
        var package = dot >= 0 ? service[..dot] : service;
        dot = package.LastIndexOf('.');
        if (dot >= 0 && package.Length > dot + 2 && package[dot + 1] == 'v' && char.IsAsciiDigit(package[dot + 2])) package = package[..dot];
        return package.ToString();
    }

    // "nhs-number.check-digit" -> "nhs_number": a rule code reads "<subject>.<what is wrong>", and for an input check the
    // subject is the request field in kebab case.
    private static string FieldOf(string rule)
    {
        var dot = rule.LastIndexOf('.');
        return (dot > 0 ? rule[..dot] : rule).Replace('-', '_');
    }

    private static async Task<T> Awaited<T>(Task<T> call, string method)
    {
        try
        {
            return await call;
        }
        catch (RefusalException refused)
        {
            throw ToRpcException(refused, method);
        }
    }

    private static async Task Awaited(Task call, string method)
    {
        try
        {
            await call;
        }
        catch (RefusalException refused)
        {
            throw ToRpcException(refused, method);
        }
    }
}
