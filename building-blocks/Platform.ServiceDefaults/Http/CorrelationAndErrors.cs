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
        // One logger for the app, not a lookup in each request's scope (that lookup alone created the request's DI scope).
        var logger = app.ApplicationServices.GetService(typeof(ILogger<CorrelationAndErrorsStartupFilter>)) as ILogger;
        app.Use(async (context, nextMiddleware) =>
        {
            var id = context.Request.Headers[Header].ToString();
            if (!IsWellFormed(id)) id = Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N");
            context.TraceIdentifier = id;
            context.Response.Headers[Header] = id;
            using (logger?.BeginScope(new CorrelationScope(id)))
            {
                await nextMiddleware(context);
            }
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        next(app);
    };

    /// <summary>The logging scope's state: one named value, <c>CorrelationId</c>, as a scope-aware logger lists it.</summary>
    private sealed class CorrelationScope(string id) : IReadOnlyList<KeyValuePair<string, object>>
    {
        public KeyValuePair<string, object> this[int index] => index == 0 ? new("CorrelationId", id) : throw new ArgumentOutOfRangeException(nameof(index));
        public int Count => 1;
        public IEnumerator<KeyValuePair<string, object>> GetEnumerator() { yield return this[0]; }
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        public override string ToString() => "CorrelationId:" + id;
    }

    private static bool IsWellFormed(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
