namespace Platform.ServiceDefaults.Tenancy;

/// <summary>Who is acting: the token's subject and role, or the system itself outside a request (seeding, event handling).</summary>
public sealed record Actor(string Subject, string Role)
{
    public static readonly Actor System = new("system", "system");
}

/// <summary>Reads the acting user from the request's token. Events carry it so the audit log can name the agent.</summary>
public sealed class CurrentActor(CurrentRequest request)
{
    public Actor Get()
    {
        var user = request.HttpContext?.User;
        if (user?.Identity?.IsAuthenticated != true) return Actor.System;
        return new Actor(user.FindFirst("sub")?.Value ?? "unknown", user.FindFirst("roles")?.Value ?? "none");
    }
}
