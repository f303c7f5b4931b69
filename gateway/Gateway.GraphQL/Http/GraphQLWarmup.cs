using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Audit.V1;
using Platform.Contracts.Consent.V1;
using Platform.Contracts.Evidence.V1;
using Platform.Contracts.Procurement.V1;
using Platform.Gateway.GraphQL.Schema;

namespace Platform.Gateway.GraphQL.Http;

/// <summary>
/// The GraphQL endpoint's share of the first dashboard, done at start-up before readiness reports ready (a step of
/// Platform.ServiceDefaults' start-up warm-up): GraphQL.NET's schema initialised (its graph types, fields and
/// resolvers built), the four services' gRPC clients created (the client factory's channels and the HTTP/2 handler
/// each shares), and one request run through the endpoint's whole path (body read, parsed, validated with the limits,
/// executed, serialised) on <c>{ __typename }</c>, which asks no service and reads no data. No connection to a service
/// is opened: the gateway becomes ready whether or not the services are up yet, as it did before.
/// </summary>
internal static class GraphQLWarmup
{
    private const string Document = """{"query":"query Warmup { __typename }","operationName":"Warmup"}""";

    public static async Task RunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        services.GetRequiredService<DashboardSchema>().Initialize();
        _ = services.GetRequiredService<ConsentService.ConsentServiceClient>();
        _ = services.GetRequiredService<ProcurementService.ProcurementServiceClient>();
        _ = services.GetRequiredService<EvidenceService.EvidenceServiceClient>();
        _ = services.GetRequiredService<AuditService.AuditServiceClient>();

        var http = new DefaultHttpContext { RequestServices = services, RequestAborted = cancellationToken };
        http.Request.Method = HttpMethods.Post;
        http.Request.ContentType = "application/json";
        http.Request.Headers.Accept = GraphQLHttpEndpoint.GraphQLResponseJson;
        http.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(Document));
        using var response = new MemoryStream();
        http.Response.Body = response;
        await services.GetRequiredService<GraphQLHttpEndpoint>().HandleAsync(http);
        var text = Encoding.UTF8.GetString(response.ToArray());
        if (http.Response.StatusCode != StatusCodes.Status200OK || !text.Contains("\"__typename\"", StringComparison.Ordinal))
            throw new InvalidOperationException($"The warm-up query was answered {http.Response.StatusCode}: {text}");
    }
}
