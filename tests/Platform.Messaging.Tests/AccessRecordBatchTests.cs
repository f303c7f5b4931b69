using System.Text;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Platform.Messaging.Access;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Contracts.Access.V1;
using Platform.Messaging.Outbox;
using Xunit;

namespace Platform.Messaging.Tests;

// The durable access records of concurrent use checks (docs/decisions/0035): the records one group-commit write takes
// (docs/decisions/0027) go as one AccessRecordBatch event in one outbox row, each record with its own id, one trust per
// row. Driven by a fake clock and a row writer the test holds open, as GroupCommitTests.
public sealed class AccessRecordBatchTests : IDisposable
{
    private sealed class Rows : IOutboxRowWriter
    {
        private readonly Lock _gate = new();
        public List<OutboxMessage> Written { get; } = [];
        public List<TaskCompletionSource> Held { get; } = [];
        public bool Hold { get; set; }
        public Func<string, Exception?> FailFor { get; set; } = _ => null;

        public async Task WriteAsync(string tenant, IReadOnlyList<OutboxMessage> rows)
        {
            if (Hold)
            {
                var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                lock (_gate) Held.Add(held);
                await held.Task;
            }
            if (FailFor(tenant) is { } error) throw new OutboxWriteFailedException($"{rows.Count} outbox event(s) of trust {tenant} could not be written", error);
            lock (_gate) Written.AddRange(rows);
        }

        public int HeldCount
        {
            get { lock (_gate) return Held.Count; }
        }
    }

    private readonly ServiceProvider _services;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 4, 19, 0, 0, TimeSpan.Zero));
    private readonly Rows _rows = new();
    private readonly AccessRecordBatches _batches;

    public AccessRecordBatchTests()
    {
        _services = new ServiceCollection().AddMetrics().AddOptions().Configure<MessagingOptions>(o => o.ServiceName = "consent").BuildServiceProvider();
        var options = _services.GetRequiredService<IOptions<MessagingOptions>>();
        _batches = new AccessRecordBatches(_rows, new OutboxRowFactory(options, new OutboxSequence(_clock), _clock),
            new MessagingMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), options), options, _clock);
    }

    public void Dispose()
    {
        _batches.Dispose();
        _services.Dispose();
    }

    private static AccessRecorded Check(string who, string patient = "Patient/p-1") => new()
    {
        ActorSubject = who, ActorRole = "device", PurposeOfUse = "TREAT", Patient = patient, What = "TechnologyUse/u-1",
        EntityType = "Consent", Kind = "use-check", Outcome = "success",
    };

    /// <summary>The row's CloudEvent as the relay will send it, and the batch it carries.</summary>
    private static (CloudEvent Event, AccessRecordBatch Batch) Sent(OutboxMessage row)
    {
        Assert.True(CloudEvent.TryParse(Encoding.UTF8.GetBytes(row.Payload), out var ce, out var error), error);
        return (ce!, new JsonParser(JsonParser.Settings.Default.WithIgnoreUnknownFields(false)).Parse<AccessRecordBatch>(ce!.DataJson!));
    }

    private static async Task Until(Func<bool> condition)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (!condition() && !bound.IsCancellationRequested) await Task.Delay(1, CancellationToken.None);
        Assert.True(condition(), "the condition never held");
    }

    [Fact]
    public async Task The_records_that_arrive_while_a_write_is_in_flight_go_as_one_event_in_one_row_each_with_its_own_id_and_trusts_never_share_a_row()
    {
        _rows.Hold = true;
        var first = _batches.RecordAsync(Check("pump-0"), "RX1", CancellationToken.None);
        await Until(() => _rows.HeldCount == 1);
        _rows.Hold = false;
        var together = Enumerable.Range(1, 3).Select(i => _batches.RecordAsync(Check($"pump-{i}", $"Patient/p-{i}"), "RX1", CancellationToken.None)).ToList();
        var otherTrust = _batches.RecordAsync(Check("pump-9"), "RY2", CancellationToken.None);
        var otherId = await otherTrust;
        Assert.DoesNotContain(together, t => t.IsCompleted); // written only after RX1's write in flight ends
        _rows.Held[0].SetResult();
        var firstId = await first;
        var ids = await Task.WhenAll(together);

        Assert.Equal(["RY2", "RX1", "RX1"], _rows.Written.Select(r => r.Tenant));
        var (ce, batch) = Sent(_rows.Written[2]);
        Assert.Equal(("platform.access.access_record_batch.v1", "RX1", "/consent"), (ce.Type, ce.Tenant, ce.Source));
        Assert.Equal(ids.Select(id => id.ToString()), batch.Records.Select(r => r.RecordId));
        Assert.Equal(["pump-1", "pump-2", "pump-3"], batch.Records.Select(r => r.Access.ActorSubject));
        Assert.Equal(["Patient/p-1", "Patient/p-2", "Patient/p-3"], batch.Records.Select(r => r.Access.Patient));
        Assert.Equal([firstId.ToString()], Sent(_rows.Written[1]).Batch.Records.Select(r => r.RecordId));
        Assert.Equal([otherId.ToString()], Sent(_rows.Written[0]).Batch.Records.Select(r => r.RecordId));
        // Every record's id is its own, and none is a row's (event's) id.
        var all = ids.Append(firstId).Append(otherId).ToList();
        Assert.Equal(all.Count + _rows.Written.Count, all.Concat(_rows.Written.Select(r => r.Id)).Distinct().Count());
    }

    [Fact]
    public async Task A_failed_write_fails_every_record_in_it_and_no_other_trusts()
    {
        _rows.Hold = true;
        var first = _batches.RecordAsync(Check("pump-0"), "RX1", CancellationToken.None);
        await Until(() => _rows.HeldCount == 1);
        _rows.Hold = false;
        _rows.FailFor = tenant => tenant == "RX1" ? new InvalidOperationException("disk full") : null;
        var doomed = new[] { _batches.RecordAsync(Check("pump-1"), "RX1", CancellationToken.None), _batches.RecordAsync(Check("pump-2"), "RX1", CancellationToken.None) };
        await _batches.RecordAsync(Check("pump-3"), "RY2", CancellationToken.None);
        _rows.Held[0].SetResult();

        await Assert.ThrowsAsync<OutboxWriteFailedException>(() => first);
        foreach (var task in doomed) await Assert.ThrowsAsync<OutboxWriteFailedException>(() => task);
        Assert.Equal(["pump-3"], _rows.Written.SelectMany(r => Sent(r).Batch.Records).Select(r => r.Access.ActorSubject));
    }
}
