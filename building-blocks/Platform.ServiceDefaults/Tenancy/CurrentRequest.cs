using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Platform.ServiceDefaults.Tenancy;

/// <summary>
/// The request a DI scope serves, for <see cref="TenantContext"/> and <see cref="CurrentActor"/>: set when the request
/// enters the pipeline and cleared when it leaves, so a scoped service kept past its request (a captured reference, a
/// task left running) sees no request, and so no tenant, rather than whichever request the server serves next. In place
/// of <c>IHttpContextAccessor</c>, whose presence alone stops ASP.NET Core from reusing each connection's request
/// objects (a new <c>HttpContext</c>, request, response and feature set per call, and an async-local set and restored),
/// and whose answer follows the async flow into any scope, where this one belongs to the request's own scope only.
/// </summary>
public sealed class CurrentRequest
{
    /// <summary>The request being served by this scope, or null outside one (an event handler's or a sweep's scope).</summary>
    public HttpContext? HttpContext { get; private set; }

    internal sealed class StartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(static async (context, nextMiddleware) =>
            {
                var current = context.RequestServices.GetRequiredService<CurrentRequest>();
                current.HttpContext = context;
                try
                {
                    await nextMiddleware(context);
                }
                finally
                {
                    current.HttpContext = null;
                }
            });
            next(app);
        };
    }
}
