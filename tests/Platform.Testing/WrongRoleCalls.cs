using System.Reflection;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Platform.Grpc;
using Platform.Grpc.Interceptors;

namespace Platform.Testing;

/// <summary>
/// Calls every gRPC method a running app maps with every role that method does not name (and with no role at all),
/// and reports each call that was not refused with PERMISSION_DENIED, rule <c>role.required</c>. The methods come from
/// the app's endpoints and the generated service descriptors, and the roles from the <see cref="RequiresRoleAttribute"/>
/// the interceptor reads, so a method added tomorrow is covered without touching a test. A method without
/// <see cref="RequiresRoleAttribute"/> is itself a finding unless it is on the allow-list given, with its reason.
/// </summary>
public static class WrongRoleCalls
{
    /// <summary>Methods that take no role on purpose, on every app: the platform's own health and reflection services.</summary>
    public static readonly IReadOnlyDictionary<string, string> PlatformAllowList = new Dictionary<string, string>
    {
        ["grpc.health.v1.Health/*"] = "kubelet and load-balancer probes carry no token; health says nothing about any trust's data",
        ["grpc.reflection.v1alpha.ServerReflection/*"] = "describes the public protos only; grpcurl and the interop peers need it",
        ["grpc.reflection.v1.ServerReflection/*"] = "describes the public protos only; grpcurl and the interop peers need it",
    };

    /// <summary>Roles the platform hands out in tokens, beyond those some <see cref="RequiresRoleAttribute"/> names in the app under test.</summary>
    public static readonly IReadOnlyList<string> KnownRoles =
        ["clinician", "device", "procurement-lead", "trust-admin", "region-operator", "auditor", "platform-operator", "evidence-reviewer", "patient", "ig-lead", "clinical-safety-officer", "ward-manager", "region-analyst"];

    /// <summary>One gRPC method as the app maps it.</summary>
    public sealed record MappedMethod(string Service, string Name, MethodType Type, Type ServiceType, IReadOnlyList<string>? Roles)
    {
        public string FullName => $"{Service}/{Name}";
    }

    /// <summary>Every gRPC method <paramref name="services"/>' app maps, with the roles of its <see cref="RequiresRoleAttribute"/> (null when it has none).</summary>
    public static IReadOnlyList<MappedMethod> Methods(IServiceProvider services)
    {
        var methods = new Dictionary<string, MappedMethod>(StringComparer.Ordinal);
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints)
        {
            if (endpoint.Metadata.GetMetadata<GrpcMethodMetadata>() is not { } grpc) continue;
            var roles = endpoint.Metadata.GetMetadata<RequiresRoleAttribute>()?.Roles;
            var method = new MappedMethod(grpc.Method.ServiceName, grpc.Method.Name, grpc.Method.Type, grpc.ServiceType, roles);
            // JSON transcoding maps a second (HTTP) endpoint for a method: one entry per method, and both must agree.
            if (methods.TryGetValue(method.FullName, out var seen) && !SameRoles(seen.Roles, roles))
                throw new InvalidOperationException($"{method.FullName} has endpoints with different roles.");
            methods[method.FullName] = method;
        }
        return [.. methods.Values.OrderBy(m => m.FullName, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The findings (empty when every method refuses every wrong role): methods without a role and not allow-listed,
    /// allow-list entries that no longer match a method without a role, proto methods the app does not map, and every
    /// call with a wrong role that was not refused for want of the role.
    /// </summary>
    /// <param name="tenantOf">The trust each method's calls act for (null: a region token, naming no trust); by default <paramref name="tenant"/>.</param>
    public static async Task<IReadOnlyList<string>> FindingsAsync(IServiceProvider services, Uri grpcAddress, string tenant,
        IReadOnlyDictionary<string, string>? allowList = null, Func<MappedMethod, string?>? tenantOf = null)
    {
        var allowed = new Dictionary<string, string>(PlatformAllowList);
        foreach (var (key, reason) in allowList ?? new Dictionary<string, string>()) allowed[key] = reason;
        var methods = Methods(services);
        var findings = new List<string>();
        if (methods.Count == 0) findings.Add("the app maps no gRPC method: nothing was checked");

        // Every method of every service's generated descriptor is mapped (the base class binds them all), so a method
        // added to a proto shows up here even before its override is written.
        foreach (var serviceType in methods.Select(m => m.ServiceType).Distinct())
        {
            if (Descriptor(serviceType) is not { } descriptor) continue;
            foreach (var method in descriptor.Methods)
                if (!methods.Any(m => m.Service == descriptor.FullName && m.Name == method.Name))
                    findings.Add($"{descriptor.FullName}/{method.Name}: in the proto but not mapped, so never checked");
        }

        var universe = methods.SelectMany(m => m.Roles ?? []).Concat(KnownRoles).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        using var channel = GrpcChannel.ForAddress(grpcAddress);
        var invoker = channel.CreateCallInvoker();
        foreach (var method in methods)
        {
            var reason = AllowListed(allowed, method);
            if (method.Roles is null)
            {
                if (reason is null) findings.Add($"{method.FullName}: no [RequiresRole] and not on the allow-list");
                continue;
            }

            // No role at all, then each role the method does not name, one call each.
            foreach (var roles in new[] { Array.Empty<string>() }.Concat(universe.Except(method.Roles).Select(r => new[] { r })))
            {
                var trust = tenantOf is null ? tenant : tenantOf(method);
                var token = trust is null ? TestTokens.Shared.MintForTrusts([], roles) : TestTokens.Shared.Mint(trust, roles);
                var outcome = await CallAsync(invoker, method, token);
                if (outcome is not null)
                    findings.Add($"{method.FullName} called as {(roles.Length == 0 ? "a caller with no role" : roles[0])}: {outcome}");
            }
        }
        // The allow-list only shrinks by hand if a stale entry fails: one that no longer matches a method without a role.
        foreach (var entry in (allowList ?? new Dictionary<string, string>()).Keys)
            if (!methods.Any(m => m.Roles is null && (entry == m.FullName || entry == $"{m.Service}/*")))
                findings.Add($"allow-list entry {entry} matches no method without a role: take it off");
        return findings;
    }

    private static string? AllowListed(Dictionary<string, string> allowed, MappedMethod method) =>
        allowed.TryGetValue(method.FullName, out var reason) || allowed.TryGetValue($"{method.Service}/*", out reason) ? reason : null;

    private static bool SameRoles(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        a is null ? b is null : b is not null && a.Order().SequenceEqual(b.Order());

    private static Google.Protobuf.Reflection.ServiceDescriptor? Descriptor(Type serviceType)
    {
        for (var type = serviceType; type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>() is { } bind)
                return bind.BindType.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as Google.Protobuf.Reflection.ServiceDescriptor;
        }
        return null;
    }

    private static readonly Marshaller<byte[]> s_bytes = Marshallers.Create(b => b, b => b);

    /// <summary>Null when the call was refused for want of a role; otherwise what happened instead.</summary>
    private static async Task<string?> CallAsync(CallInvoker invoker, MappedMethod mapped, string token)
    {
        var method = new Method<byte[], byte[]>(mapped.Type, mapped.Service, mapped.Name, s_bytes, s_bytes);
        var options = new CallOptions(new Metadata { { "Authorization", $"Bearer {token}" } }, DateTime.UtcNow.AddSeconds(30));
        // An empty message is a valid request of any type; the refusal must come before the handler looks at it.
        byte[] empty = [];
        try
        {
            switch (mapped.Type)
            {
                case MethodType.Unary:
                    await invoker.AsyncUnaryCall(method, null, options, empty);
                    break;
                case MethodType.ServerStreaming:
                {
                    using var call = invoker.AsyncServerStreamingCall(method, null, options, empty);
                    while (await call.ResponseStream.MoveNext(CancellationToken.None)) { }
                    break;
                }
                case MethodType.ClientStreaming:
                {
                    using var call = invoker.AsyncClientStreamingCall(method, null, options);
                    await call.RequestStream.CompleteAsync();
                    await call.ResponseAsync;
                    break;
                }
                default:
                {
                    using var call = invoker.AsyncDuplexStreamingCall(method, null, options);
                    await call.RequestStream.CompleteAsync();
                    while (await call.ResponseStream.MoveNext(CancellationToken.None)) { }
                    break;
                }
            }
            return "succeeded";
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.PermissionDenied && e.Trailers.GetValue(CallPolicyInterceptor.RuleTrailer) == CallPolicyInterceptor.RoleRequiredRule)
        {
            return null;
        }
        catch (RpcException e)
        {
            return $"{e.StatusCode} ({e.Trailers.GetValue(CallPolicyInterceptor.RuleTrailer) ?? e.Status.Detail}) instead of PERMISSION_DENIED role.required";
        }
    }
}
