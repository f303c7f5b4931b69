using Platform.Domain;

namespace Platform.Grpc;

/// <summary>Least privilege per gRPC method: the caller's token must carry one of the roles the method names.</summary>
public static class CallerRoles
{
    /// <summary>Throws PERMISSION_DENIED (rule <c>role.required</c>) unless the caller holds one of <paramref name="roles"/>.</summary>
    public static void RequireRole(this ServerCallContext context, params string[] roles)
    {
        var user = context.GetHttpContext().User;
        foreach (var role in roles)
            if (user.IsInRole(role)) return;
        throw Refusal.Denied("role.required", $"This needs the {string.Join(" or ", roles)} role.").ToRpcException();
    }
}
