using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Platform.ServiceDefaults.Http;

/// <summary>
/// Outermost middleware of every app: a correlation id on every request (taken from a well-formed
/// <c>X-Correlation-Id</c>, else the trace id), echoed on the response and put in the logging scope; and an exception
/// handler that answers with problem details and never a stack trace.
/// </summary>
internal sealed class CorrelationAndErrorsStartupFilter : IStartupFilter
{
    public const string Header = "X-Correlation-Id";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            var id = context.Request.Headers[Header].ToString();
            if (!IsWellFormed(id)) id = Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N");
            context.TraceIdentifier = id;
            context.Response.Headers[Header] = id;
            var logger = context.RequestServices.GetService(typeof(ILogger<CorrelationAndErrorsStartupFilter>)) as ILogger;
            using (logger?.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = id }))
            {
                await nextMiddleware(context);
            }
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        next(app);
    };

    private static bool IsWellFormed(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
