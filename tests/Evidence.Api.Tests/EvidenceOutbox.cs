using System.Text;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Evidence.Api.Grpc;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Outbox;
using Platform.Testing;
using Xunit;
using EvidenceDbContext = Platform.Evidence.Api.Data.EvidenceDbContext;

namespace Platform.Evidence.Api.Tests;

/// <summary>What evidence wrote to its outbox for one trust, as the rows and the messages they carry.</summary>
public static class EvidenceOutbox
{
    public static Task<List<(OutboxMessage Row, T Message)>> PublishedRowsAsync<T>(ServiceFactory<EvidenceGrpcService> app, string tenant) where T : IMessage<T>, new()
    {
        var type = EventName.For(new T().Descriptor).Type;
        return app.InTenantAsync(tenant, async sp =>
        {
            var rows = await sp.GetRequiredService<EvidenceDbContext>().Set<OutboxMessage>().AsNoTracking()
                .Where(m => m.Type == type && m.Tenant == tenant).OrderBy(m => m.Sequence).ToListAsync();
            return rows.Select(r =>
            {
                Assert.True(CloudEvent.TryParse(Encoding.UTF8.GetBytes(r.Payload), out var ce, out var error), error);
                return (r, new JsonParser(JsonParser.Settings.Default.WithIgnoreUnknownFields(false)).Parse<T>(ce!.DataJson!));
            }).ToList();
        });
    }
}
