using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Platform.Gateway.GraphQL.Explorer;

/// <summary>
/// The developers' explorer: GraphiQL 3.8.3 with React 18.3.1 from npm, copied into this project (Explorer/assets,
/// LICENSES.txt) and served from the assembly, so the page loads nothing from elsewhere (its Content-Security-Policy
/// says so too).
/// </summary>
public sealed class ExplorerPage(GraphQLOptions options)
{
    private const string Policy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

    private static readonly Dictionary<string, string> s_types = new(StringComparer.Ordinal)
    {
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".txt"] = "text/plain; charset=utf-8",
    };

    private readonly Lazy<string> _page = new(() => Read("explorer.html")!
        .Replace("{{base}}", options.Path + "/explorer", StringComparison.Ordinal)
        .Replace("{{endpoint}}", options.Path, StringComparison.Ordinal));

    public async Task ServePageAsync(HttpContext http)
    {
        http.Response.Headers.ContentSecurityPolicy = Policy;
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync(_page.Value, http.RequestAborted);
    }

    public async Task ServeAssetAsync(HttpContext http, string file)
    {
        var type = s_types.GetValueOrDefault(Path.GetExtension(file));
        using var stream = type is null ? null : typeof(ExplorerPage).Assembly.GetManifestResourceStream("explorer/" + file);
        if (stream is null)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        http.Response.ContentType = type;
        http.Response.Headers.CacheControl = "public, max-age=86400";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        await stream.CopyToAsync(http.Response.Body, http.RequestAborted);
    }

    private static string? Read(string name)
    {
        using var stream = typeof(ExplorerPage).Assembly.GetManifestResourceStream("explorer/" + name);
        return stream is null ? null : new StreamReader(stream).ReadToEnd();
    }
}
