using System.Security.Claims;
using Grpc.Core;

namespace Platform.Grpc;

/// <summary>Who is calling a gRPC method, in a service's own role vocabulary.</summary>
public static class CallerRole
{
    /// <summary>
    /// The token's subject and, of the token's roles (parsed by the service's <paramref name="parse"/>), the one the
    /// operation needs when the caller holds it, else the first: so the domain checks the role again and names it when
    /// refusing. The subject is empty when the token has none (the domain refuses an actor without one).
    /// </summary>
    public static (string Subject, TRole Role) Of<TRole>(ServerCallContext context, TRole wanted, Func<string, TRole> parse)
        where TRole : struct, Enum
    {
        var user = context.GetHttpContext().User;
        var roles = user.Identities.SelectMany(i => i.FindAll(i.RoleClaimType)).Select(c => parse(c.Value)).ToList();
        var role = roles.Contains(wanted) ? wanted : roles.FirstOrDefault();
        return (user.FindFirstValue("sub") ?? "", role);
    }
}
