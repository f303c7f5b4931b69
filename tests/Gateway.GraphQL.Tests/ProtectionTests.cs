using System.Net;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Platform.Contracts.Procurement.V1;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>Protection on by default: an abusive document is refused before any resolver runs, so no service is called.</summary>
[Collection(Dashboard.Name)]
public sealed class ProtectionTests(DashboardHosts hosts)
{
    private const string Deep = "{ trust { technologies(first: 2) { edges { node { evidence(first: 2) { edges { node { title } } } } } } } }";

    [Fact]
    public async Task A_document_deeper_than_the_limit_is_refused_before_any_service_is_called()
    {
        var gateway = await hosts.StartGatewayAsync(new Dictionary<string, string?> { ["GraphQL:MaxDepth"] = "5" });
        hosts.ResetCounts();

        var (response, body) = await gateway.Client(Seed.NewTrust()).PostAsync(Deep);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("depth", body!["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, hosts.CallsToAllServices);
    }

    [Fact]
    public async Task A_document_more_complex_than_the_limit_is_refused_before_any_service_is_called()
    {
        hosts.ResetCounts();

        // Each page is within the limit; together they ask for every field of 100 x 100 evidence items.
        var (response, body) = await hosts.Gateway.Client(Seed.NewTrust()).PostAsync(
            "{ trust { technologies(first: 100) { edges { node { name evidence(first: 100) { edges { node { id technologyId title studyDesign sampleSize independentOfSupplier settingRelevance quality recordedAt } } } } } } } }");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("complexity", body!["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, hosts.CallsToAllServices);
    }

    [Fact]
    public async Task A_page_larger_than_the_limit_is_refused_even_when_it_comes_in_a_variable()
    {
        hosts.ResetCounts();

        var (response, body) = await hosts.Gateway.Client(Seed.NewTrust()).PostAsync(
            "query($n: Int) { trust { technologies(first: $n) { edges { node { name } } } } }", new { n = 101 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["PAGE_SIZE_LIMIT"], body.ErrorCodes());
        Assert.Contains("101", body!["errors"]![0]!["message"]!.GetValue<string>());
        Assert.Equal(0, hosts.CallsToAllServices);
    }

    [Fact]
    public async Task A_batch_beyond_the_limit_is_refused_whole_and_one_within_it_is_answered_in_order()
    {
        var trust = Seed.NewTrust();
        var client = hosts.Gateway.Client(trust);
        var one = "{\"query\": \"{ trust { odsCode } }\"}";
        hosts.ResetCounts();

        var (tooMany, tooManyBody) = await client.SendJsonAsync("[" + string.Join(",", Enumerable.Repeat(one, 6)) + "]");
        var (two, twoBody) = await client.SendJsonAsync("[" + one + ", {\"query\": \"{ trust { technologies(first: 1) { edges { cursor } } } }\"}]");

        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal(["BATCH_LIMIT"], tooManyBody.ErrorCodes());
        Assert.Equal(HttpStatusCode.OK, two.StatusCode);
        Assert.Equal(trust, twoBody![0]!["data"]!["trust"]!["odsCode"]!.GetValue<string>());
        Assert.NotNull(twoBody[1]!["data"]!["trust"]!["technologies"]);
        Assert.Equal(1, hosts.ProcurementCalls["ListTechnologies"]);
    }

    [Fact]
    public async Task Introspection_is_answered_in_testing_and_refused_in_production()
    {
        var production = await hosts.StartGatewayAsync(environment: "Production");
        const string introspect = "{ __schema { queryType { name } } }";

        var (_, testing) = await hosts.Gateway.Client(Seed.NewTrust()).PostAsync(introspect);
        var (refused, refusedBody) = await production.Client(Seed.NewTrust()).PostAsync(introspect);

        Assert.Equal("Query", testing!["data"]!["__schema"]!["queryType"]!["name"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("introspection", refusedBody!["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_operation_that_outlives_the_timeout_is_stopped_with_a_timeout_error()
    {
        var clock = new FakeTimeProvider();
        var stall = new StallingInterceptor();
        var gateway = await hosts.StartGatewayAsync(new Dictionary<string, string?> { ["GraphQL:Timeout"] = "00:00:10" }, services: s =>
        {
            s.AddSingleton<TimeProvider>(clock);
            s.AddGrpcClient<ProcurementService.ProcurementServiceClient>(nameof(ProcurementService.ProcurementServiceClient)).AddInterceptor(() => stall);
        });

        var pending = gateway.Client(Seed.NewTrust()).PostAsync("{ trust { technologies(first: 1) { edges { cursor } } } }");
        // The stalled call must be in flight before the clock moves; a request that never reached it fails here.
        Assert.Same(stall.Entered.Task, await Task.WhenAny(stall.Entered.Task, pending));
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.False(pending.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        var (response, body) = await pending;

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(["TIMEOUT"], body.ErrorCodes());
    }

    /// <summary>A service that never answers: the call waits until it is cancelled.</summary>
    private sealed class StallingInterceptor : Interceptor
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
            AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            Entered.TrySetResult();
            var cancelled = context.Options.CancellationToken;
            var never = Task.Delay(Timeout.Infinite, cancelled).ContinueWith<TResponse>(_ => throw new RpcException(new Status(StatusCode.Cancelled, "cancelled")),
                CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            return new AsyncUnaryCall<TResponse>(never, Task.FromResult(new Metadata()), () => Status.DefaultCancelled, () => [], () => { });
        }
    }
}
