using Grpc.Core;
using Platform.Contracts.Consent.V1;
using Platform.Contracts.Evidence.V1;
using Platform.Contracts.Procurement.V1;
using Platform.Gateway.GraphQL.Loading;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>
/// The open-gates loader asks procurement's ListOpenGatesForCases once per batch of at most 200 keys (ADR 0043), not
/// once per case and kind, and gives each key its own answer. Procurement here is a fake that answers each query with
/// one gate naming the case and kind asked, and says not found for the case ids it is told to.
/// </summary>
public sealed class OpenGatesLoaderTests
{
    [Theory]
    [InlineData(1, new[] { 1 })]
    [InlineData(200, new[] { 200 })]
    [InlineData(450, new[] { 200, 200, 50 })]
    public async Task Keys_are_asked_for_in_calls_of_at_most_200_and_each_key_gets_its_own_answer(int count, int[] calls)
    {
        var procurement = new FakeProcurement();
        var loaders = Loaders(procurement);
        var keys = Enumerable.Range(0, count).Select(i => new OpenGatesKey($"case-{i / 2}", i % 2 == 0 ? ApprovalKind.Full : ApprovalKind.Trial)).ToList();

        var answers = await loaders.OpenGates.LoadMany(keys).GetResultAsync();

        Assert.Equal(calls, procurement.QueriesPerCall.Order().Reverse());
        Assert.Equal(keys.Select(k => $"{k.CaseId} {k.Kind}"), answers.Select(a => Assert.Single(a!).Name));
    }

    [Fact]
    public async Task A_case_procurement_did_not_find_is_answered_null_and_the_others_as_usual()
    {
        var procurement = new FakeProcurement { NotFound = { "case-gone" } };
        var loaders = Loaders(procurement);

        var answers = await loaders.OpenGates.LoadMany([new("case-1", ApprovalKind.Full), new("case-gone", ApprovalKind.Full), new("case-2", ApprovalKind.Trial)]).GetResultAsync();

        Assert.Equal(new string?[] { "case-1 Full", null, "case-2 Trial" }, answers.Select(a => a?.Single().Name));
        Assert.Equal(new[] { 3 }, procurement.QueriesPerCall);
    }

    private static DashboardLoaders Loaders(FakeProcurement procurement) =>
        new(new EvidenceService.EvidenceServiceClient(procurement), new ConsentService.ConsentServiceClient(procurement),
            new ProcurementService.ProcurementServiceClient(procurement), new GraphQLOptions { LoaderCallsAtOnce = 2 });

    /// <summary>Answers ListOpenGatesForCases only; any other call fails the test.</summary>
    private sealed class FakeProcurement : CallInvoker
    {
        private readonly Lock _gate = new();

        public HashSet<string> NotFound { get; } = [];

        public List<int> QueriesPerCall { get; } = [];

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        {
            if (request is not ListOpenGatesForCasesRequest asked) throw new InvalidOperationException($"Unexpected call {method.FullName}");
            lock (_gate) QueriesPerCall.Add(asked.Queries.Count);
            var reply = new ListOpenGatesForCasesResponse();
            foreach (var q in asked.Queries)
            {
                var found = !NotFound.Contains(q.CaseId);
                var result = new CaseOpenGates { Found = found };
                if (found) result.OpenGates.Add(new OpenGate { Code = "dpia", Name = $"{q.CaseId} {q.Kind}", State = GateState.NotRecorded });
                reply.Results.Add(result);
            }
            return new AsyncUnaryCall<TResponse>(Task.FromResult((TResponse)(object)reply), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
        }

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw new NotSupportedException();

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw new NotSupportedException();

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            throw new NotSupportedException();

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            throw new NotSupportedException();
    }
}
