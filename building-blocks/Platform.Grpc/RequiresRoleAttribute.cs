namespace Platform.Grpc;

/// <summary>
/// Least privilege per gRPC method: the caller's token must carry one of <see cref="Roles"/>, or the call ends with
/// PERMISSION_DENIED (rule <c>role.required</c>). Put it on each override; <see cref="Interceptors.CallPolicyInterceptor"/>
/// reads it from the endpoint's metadata.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, Inherited = true)]
public sealed class RequiresRoleAttribute(params string[] roles) : Attribute
{
    /// <summary>The roles any one of which lets the caller in.</summary>
    public IReadOnlyList<string> Roles { get; } = roles.Length > 0 ? roles : throw new ArgumentException("Name at least one role.", nameof(roles));
}
