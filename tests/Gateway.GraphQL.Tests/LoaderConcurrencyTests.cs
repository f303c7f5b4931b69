using Grpc.Core;
using Platform.Contracts.Consent.V1;
using Platform.Contracts.Evidence.V1;
using Platform.Contracts.Procurement.V1;
using Platform.Gateway.GraphQL.Loading;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>
/// Each per-key loader has at most GraphQL:LoaderCallsAtOnce calls in flight: each call holds a database connection in
/// the service it asks, and a dashboard of 50 technologies firing them all at once exhausted PostgreSQL's connections
/// (ADR 0037). The services here are one fake that holds every call until the test lets them go and counts how many it
/// holds at once. (Open gates are one call per 200 keys, not per key: OpenGatesLoaderTests.)
/// </summary>
public sealed class LoaderConcurrencyTests
{
    public static TheoryData<string> Loaders => ["evidence items", "appraisals", "outcome reports", "regional reports", "regional approval counts"];

    [Theory]
    [MemberData(nameof(Loaders))]
    public async Task A_loader_asked_for_many_keys_has_no_more_calls_in_flight_than_the_cap_and_answers_every_key(string loader)
    {
        const int Keys = 20, Cap = 3;
        var services = new HeldCalls();
        var loaders = new DashboardLoaders(new EvidenceService.EvidenceServiceClient(services), new ConsentService.ConsentServiceClient(services),
            new ProcurementService.ProcurementServiceClient(services), new GraphQLOptions { LoaderCallsAtOnce = Cap });
        var keys = Enumerable.Range(0, Keys).Select(i => $"k{i}").ToList();

        Task<int> load = loader switch
        {
            "evidence items" => Count(loaders.EvidenceByTechnology.LoadMany(keys).GetResultAsync()),
            "appraisals" => Count(loaders.AppraisalsByTechnology.LoadMany(keys).GetResultAsync()),
            "outcome reports" => Count(loaders.OutcomeReports.LoadMany(keys.Select(k => new OutcomeReportKey(k, Instrument.Unspecified, "2026-Q3"))).GetResultAsync()),
            "regional reports" => Count(loaders.RegionalOutcomeReports.LoadMany(keys.Select(k => new RegionalReportKey(k, Instrument.Unspecified, "2026-Q3"))).GetResultAsync()),
            "regional approval counts" => Count(loaders.RegionalApprovalCounts.LoadMany(keys.Select(k => new Schema.RegionalApprovalCountsKey(k, "", 20))).GetResultAsync()),
            // Open gates (ADR 0043: OpenGatesLoaderTests) and blanket use (ADR 0044: BlanketUseTests) are one call per batch of up to 200 keys.
            _ => throw new ArgumentOutOfRangeException(nameof(loader), loader, "No such per-key loader."),
        };

        // The cap's worth of calls start and are held; none beyond it has started while they are.
        await services.StartedAsync(Cap);
        Assert.Equal(Cap, services.InFlight);
        Assert.Equal(Cap, services.Started);
        services.Release();

        Assert.Equal(Keys, await load);
        Assert.Equal(Keys, services.Started);
        Assert.Equal(Cap, services.MostAtOnce);
    }

    [Fact]
    public async Task A_cap_below_one_is_refused_when_a_loader_first_fetches()
    {
        var services = new HeldCalls();
        var loaders = new DashboardLoaders(new EvidenceService.EvidenceServiceClient(services), new ConsentService.ConsentServiceClient(services),
            new ProcurementService.ProcurementServiceClient(services), new GraphQLOptions { LoaderCallsAtOnce = 0 });

        var failed = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => loaders.EvidenceByTechnology.Load("k").GetResultAsync());

        Assert.Contains("GraphQL:LoaderCallsAtOnce", failed.Message);
        Assert.Equal(0, services.Started);
    }

    private static async Task<int> Count<T>(Task<IReadOnlyList<T>> values) => (await values).Count;

    /// <summary>Every unary call is held until <see cref="Release"/>, then answered with an empty reply.</summary>
    private sealed class HeldCalls : CallInvoker
    {
        private readonly Lock _gate = new();
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<(int Count, TaskCompletionSource Reached)> _waiting = [];

        public int InFlight { get; private set; }
        public int MostAtOnce { get; private set; }
        public int Started { get; private set; }

        public void Release() => _released.TrySetResult();

        public Task StartedAsync(int count)
        {
            lock (_gate)
            {
                if (Started >= count) return Task.CompletedTask;
                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Add((count, reached));
                return reached.Task;
            }
        }

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        {
            lock (_gate)
            {
                Started++;
                InFlight++;
                MostAtOnce = Math.Max(MostAtOnce, InFlight);
                foreach (var (count, reached) in _waiting.Where(w => Started >= w.Count)) reached.TrySetResult();
            }

            return new AsyncUnaryCall<TResponse>(AnswerAsync<TResponse>(), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
        }

        private async Task<TResponse> AnswerAsync<TResponse>()
        {
            await _released.Task;
            lock (_gate) InFlight--;
            return Activator.CreateInstance<TResponse>();
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
