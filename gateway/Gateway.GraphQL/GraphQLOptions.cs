namespace Platform.Gateway.GraphQL;

/// <summary>Configuration section <c>GraphQL</c>: where the services are and how much one request may ask.</summary>
public sealed class GraphQLOptions
{
    public const string Section = "GraphQL";

    /// <summary>The endpoint's path; the explorer is served under <c>{Path}/explorer</c>.</summary>
    public string Path { get; set; } = "/graphql";

    /// <summary>The deepest selection a document may make.</summary>
    public int MaxDepth { get; set; } = 10;

    /// <summary>
    /// The highest complexity (GraphQL.NET's analyser: fields, multiplied by page sizes and list sizes) a document may
    /// have. The full trust dashboard (tools/bench/GraphQLBench/dashboard.graphql) is about 39,300 with 100 wards named;
    /// 50,000 admits it with room, and refuses every field of 100 technologies' 100 evidence items (about 102,000) or the
    /// register with its evidence and open gates asked for three times by aliases (about 74,000) (ADR 0037).
    /// </summary>
    public int MaxComplexity { get; set; } = 50_000;

    /// <summary>The most items one connection may be asked for (<c>first</c> or <c>last</c>).</summary>
    public int MaxPageSize { get; set; } = 100;

    /// <summary>The page size a connection gets when the document names none.</summary>
    public int DefaultPageSize { get; set; } = 20;

    /// <summary>How long one operation may run before it is stopped.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The most operations one batched POST (a JSON array) may carry.</summary>
    public int MaxBatchSize { get; set; } = 5;

    /// <summary>The longest document text accepted, in characters.</summary>
    public int MaxDocumentLength { get; set; } = 20_000;

    /// <summary>How many persisted (APQ) documents are remembered.</summary>
    public int PersistedQueryCapacity { get; set; } = 1_000;

    /// <summary>Whether introspection is answered. Null: on in Development and Testing, off elsewhere.</summary>
    public bool? Introspection { get; set; }

    /// <summary>Whether the explorer page is served. Null: where introspection is on.</summary>
    public bool? Explorer { get; set; }

    /// <summary>The deadline of each call a resolver makes to a service.</summary>
    public TimeSpan CallDeadline { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many calls each of the request's per-key batch loaders (evidence items, appraisals, outcome reports, regional
    /// reports, open gates, blanket-use signals) has in flight at once. Each call holds a database connection in the
    /// service it asks; unbounded, a dashboard of 50 technologies exhausted PostgreSQL's connections (ADR 0037).
    /// </summary>
    public int LoaderCallsAtOnce { get; set; } = 8;

    /// <summary>The services' gRPC (h2c) addresses.</summary>
    public ServiceAddresses Services { get; set; } = new();

    public sealed class ServiceAddresses
    {
        public Uri Consent { get; set; } = new("http://localhost:5002");
        public Uri Procurement { get; set; } = new("http://localhost:5012");
        public Uri Evidence { get; set; } = new("http://localhost:5022");
        public Uri Audit { get; set; } = new("http://localhost:5032");
    }
}
