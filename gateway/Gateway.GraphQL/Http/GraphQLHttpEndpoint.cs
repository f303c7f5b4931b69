using System.Net.Mime;
using System.Text;
using GraphQL;
using GraphQL.Transport;
using GraphQL.Validation;
using GraphQL.Validation.Complexity;
using GraphQL.Validation.Rules.Custom;
using GraphQLParser;
using GraphQLParser.AST;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Platform.Gateway.GraphQL.Protection;
using Platform.Gateway.GraphQL.Schema;

namespace Platform.Gateway.GraphQL.Http;

/// <summary>
/// GraphQL over HTTP (the GraphQL-over-HTTP specification): POST with an <c>application/json</c> body, or GET with the
/// parameters in the query string; answers in <c>application/graphql-response+json</c> to a client that asks for it, and
/// in <c>application/json</c> to one that asks for that, for any type (<c>*/*</c>) or sends no Accept header. The GraphQL.Server transport packages are not served here, so this is ours; the
/// parsing, validation, execution and serialising are GraphQL.NET's (ADR 0026).
/// </summary>
public sealed class GraphQLHttpEndpoint(GraphQLOptions options, PersistedQueries persisted, IGraphQLTextSerializer serializer,
    IDocumentExecuter<DashboardSchema> executer, IntrospectionSwitch introspection, TimeProvider clock)
{
    public const string GraphQLResponseJson = "application/graphql-response+json";
    private const int MaxBodyBytes = 1 << 20;

    private enum Reply { GraphQLResponse, Json }

    private readonly ComplexityValidationRule _complexity = new(new ComplexityOptions { MaxDepth = options.MaxDepth, MaxComplexity = options.MaxComplexity });

    private static GraphQLDocument? TryParse(string query)
    {
        try
        {
            return Parser.Parse(query);
        }
        catch (GraphQLParser.Exceptions.GraphQLSyntaxErrorException)
        {
            return null; // GraphQL.NET parses it again and reports the error in its own words
        }
    }

    private static bool IntrospectionOnly(GraphQLDocument document, string? operationName)
    {
        var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
        var operation = operationName is null ? (operations.Count == 1 ? operations[0] : null)
            : operations.FirstOrDefault(o => o.Name?.StringValue == operationName);
        return operation is not null && operation.SelectionSet.Selections.All(s => s is GraphQLField f && f.Name.StringValue.StartsWith("__", StringComparison.Ordinal));
    }

    public async Task HandleAsync(HttpContext http)
    {
        if (Negotiate(http.Request.Headers.Accept) is not { } reply)
        {
            http.Response.StatusCode = StatusCodes.Status406NotAcceptable;
            return;
        }

        List<GraphQLRequest>? requests;
        bool batched;
        try
        {
            (requests, batched) = HttpMethods.IsGet(http.Request.Method) ? ([ReadQueryString(http.Request.Query)], false)
                : await ReadBodyAsync(http);
        }
        catch (RequestError e)
        {
            if (e.Status != StatusCodes.Status400BadRequest)
            {
                http.Response.StatusCode = e.Status;
                return;
            }

            await WriteAsync(http, reply, StatusCodes.Status400BadRequest, Failure(e.Code, e.Message));
            return;
        }

        if (batched && requests.Count > options.MaxBatchSize)
        {
            await WriteAsync(http, reply, StatusCodes.Status400BadRequest,
                Failure("BATCH_LIMIT", $"A batch may hold at most {options.MaxBatchSize} operations; this one holds {requests.Count}."));
            return;
        }

        var results = new List<(ExecutionResult Result, int Status)>();
        foreach (var request in requests) results.Add(await ExecuteAsync(http, request, reply, isGet: HttpMethods.IsGet(http.Request.Method)));
        if (batched)
        {
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = ContentType(reply);
            await serializer.WriteAsync(http.Response.Body, results.Select(r => r.Result).ToArray(), http.RequestAborted);
            return;
        }

        await WriteAsync(http, reply, results[0].Status, results[0].Result);
    }

    private async Task<(ExecutionResult, int)> ExecuteAsync(HttpContext http, GraphQLRequest request, Reply reply, bool isGet)
    {
        string query;
        try
        {
            query = Document(request);
        }
        catch (ExecutionError e)
        {
            return (Failure(e), StatusCodes.Status400BadRequest);
        }

        if (query.Length > options.MaxDocumentLength)
            return (Failure("DOCUMENT_TOO_LARGE", $"The document has {query.Length} characters; at most {options.MaxDocumentLength} are accepted."), StatusCodes.Status400BadRequest);

        using var timeout = new CancellationTokenSource(options.Timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, timeout.Token);
        var document = TryParse(query);
        var rules = DocumentValidator.CoreRules.Append(new PatientDataRule());
        // graphql-js's own introspection query is 13 levels deep; introspection is answered only where it is switched
        // on (never in production by default), so an operation of introspection fields alone is spared the depth and
        // complexity limits that every other operation meets.
        if (document is null || !IntrospectionOnly(document, request.OperationName)) rules = rules.Append(_complexity);
        if (!introspection.Enabled) rules = rules.Append(NoIntrospectionValidationRule.Instance);
        if (isGet) rules = rules.Append(OnlyQueriesOverGet.Instance);
        ExecutionResult result;
        try
        {
            result = await executer.ExecuteAsync(new ExecutionOptions
            {
                Query = query,
                Document = document,
                OperationName = request.OperationName,
                Variables = request.Variables,
                Extensions = request.Extensions,
                RequestServices = http.RequestServices,
                User = http.User,
                CancellationToken = linked.Token,
                ValidationRules = rules,
            });
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !http.RequestAborted.IsCancellationRequested)
        {
            return (Failure("TIMEOUT", $"The operation did not finish within {options.Timeout.TotalSeconds:0.###} s and was stopped."), StatusCodes.Status504GatewayTimeout);
        }

        if (timeout.IsCancellationRequested && !http.RequestAborted.IsCancellationRequested && result.Errors is { Count: > 0 })
            return (Failure("TIMEOUT", $"The operation did not finish within {options.Timeout.TotalSeconds:0.###} s and was stopped."), StatusCodes.Status504GatewayTimeout);
        if (isGet && result.Errors?.Any(e => e.Code == OnlyQueriesOverGet.Code) == true)
        {
            http.Response.Headers.Allow = "POST";
            return (result, StatusCodes.Status405MethodNotAllowed);
        }

        // The GraphQL-over-HTTP specification: with its own media type, a response without data (a document that did
        // not parse or validate) is a 4xx; with application/json every well-formed request gets 200.
        var status = reply == Reply.GraphQLResponse && !result.Executed ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK;
        return (result, status);
    }

    private string Document(GraphQLRequest request)
    {
        var hash = request.Extensions?.TryGetValue("persistedQuery", out var apq) == true && apq is IDictionary<string, object?> persistedQuery
            ? persistedQuery.TryGetValue("sha256Hash", out var h) ? h as string : null
            : null;
        if (hash is not null) return persisted.Resolve(request.Query, hash);
        if (string.IsNullOrEmpty(request.Query)) throw new ExecutionError("The request has no 'query'.") { Code = "BAD_REQUEST" };
        return request.Query;
    }

    private GraphQLRequest ReadQueryString(IQueryCollection query)
    {
        var request = new GraphQLRequest { Query = query["query"].FirstOrDefault(), OperationName = query["operationName"].FirstOrDefault() };
        if (query["variables"].FirstOrDefault() is { Length: > 0 } variables) request.Variables = ReadJson<Inputs>(variables, "variables");
        if (query["extensions"].FirstOrDefault() is { Length: > 0 } extensions) request.Extensions = ReadJson<Inputs>(extensions, "extensions");
        return request;
    }

    private async Task<(List<GraphQLRequest>, bool Batched)> ReadBodyAsync(HttpContext http)
    {
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            http.Response.Headers.Allow = "GET, POST";
            throw new RequestError(StatusCodes.Status405MethodNotAllowed, "", "");
        }

        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type) || !type.MediaType.Equals(MediaTypeNames.Application.Json, StringComparison.OrdinalIgnoreCase))
            throw new RequestError(StatusCodes.Status415UnsupportedMediaType, "", "");
        if (http.Request.ContentLength > MaxBodyBytes)
            throw new RequestError(StatusCodes.Status413PayloadTooLarge, "", "");

        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var buffer = new char[MaxBodyBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await reader.ReadAsync(buffer.AsMemory(length), http.RequestAborted)) > 0) length += read;
        if (length > MaxBodyBytes) throw new RequestError(StatusCodes.Status413PayloadTooLarge, "", "");
        var body = new string(buffer, 0, length).TrimStart();
        if (body.StartsWith('['))
        {
            var batch = ReadJson<GraphQLRequest?[]>(body, "body");
            if (batch.Length == 0 || batch.Any(r => r is null)) throw new RequestError(StatusCodes.Status400BadRequest, "BAD_REQUEST", "A batch must be a non-empty array of request objects.");
            return ([.. batch.OfType<GraphQLRequest>()], true);
        }

        if (!body.StartsWith('{')) throw new RequestError(StatusCodes.Status400BadRequest, "BAD_REQUEST", "The body must be a JSON object (or an array of them).");
        return ([ReadJson<GraphQLRequest>(body, "body")], false);
    }

    private T ReadJson<T>(string json, string what)
    {
        try
        {
            return serializer.Deserialize<T>(json) ?? throw new RequestError(StatusCodes.Status400BadRequest, "BAD_REQUEST", $"'{what}' is empty.");
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException or NotSupportedException)
        {
            throw new RequestError(StatusCodes.Status400BadRequest, "BAD_REQUEST", $"'{what}' is not valid JSON of the expected shape.");
        }
    }

    private static Reply? Negotiate(Microsoft.Extensions.Primitives.StringValues accept)
    {
        // No Accept header: the specification's legacy default, application/json.
        if (accept.Count == 0) return Reply.Json;
        if (!MediaTypeHeaderValue.TryParseList(accept, out var types)) return null;
        Reply? best = null;
        double bestQuality = 0;
        foreach (var type in types)
        {
            var quality = type.Quality ?? 1;
            if (quality <= 0) continue;
            Reply? candidate = type.MediaType.Value switch
            {
                GraphQLResponseJson => Reply.GraphQLResponse,
                // A wildcard names no preference: legacy application/json, as with no Accept header (the specification's
                // SHOULD, audit 47DE of graphql-http; its reference handler does the same).
                MediaTypeNames.Application.Json or "application/*" or "*/*" => Reply.Json,
                _ => null,
            };
            if (candidate is not null && (quality > bestQuality || (quality == bestQuality && candidate == Reply.GraphQLResponse)))
                (best, bestQuality) = (candidate, quality);
        }

        return best;
    }

    private static string ContentType(Reply reply) => (reply == Reply.GraphQLResponse ? GraphQLResponseJson : MediaTypeNames.Application.Json) + "; charset=utf-8";

    private async Task WriteAsync(HttpContext http, Reply reply, int status, ExecutionResult result)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = ContentType(reply);
        await serializer.WriteAsync(http.Response.Body, result, http.RequestAborted);
    }

    private static ExecutionResult Failure(string code, string message) => Failure(new ExecutionError(message) { Code = code });

    private static ExecutionResult Failure(ExecutionError error) => new() { Errors = [error] };

    private sealed class RequestError(int status, string code, string message) : Exception(message)
    {
        public int Status { get; } = status;
        public string Code { get; } = code;
    }
}
