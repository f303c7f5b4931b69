using System.Text;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Data;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Outbox;
using Platform.Testing;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>What a subscriber would receive: the consent service's events of one type for one trust, in publish order.</summary>
public static class Outbox
{
    public static async Task<List<T>> PublishedAsync<T>(ServiceFactory<Program> app, string tenant) where T : IMessage<T>, new() =>
        (await PublishedRowsAsync<T>(app, tenant)).Select(r => r.Message).ToList();

    /// <summary>The same events with the outbox row each travels in (subject and the whole CloudEvent as sent).</summary>
    public static Task<List<(OutboxMessage Row, T Message)>> PublishedRowsAsync<T>(ServiceFactory<Program> app, string tenant) where T : IMessage<T>, new()
    {
        var type = EventName.For(new T().Descriptor).Type;
        return app.InTenantAsync(tenant, async sp =>
        {
            var rows = await sp.GetRequiredService<ConsentDbContext>().Set<OutboxMessage>().AsNoTracking()
                .Where(m => m.Type == type && m.Tenant == tenant).OrderBy(m => m.Sequence).ToListAsync();
            return rows.Select(r =>
            {
                Assert.True(CloudEvent.TryParse(Encoding.UTF8.GetBytes(r.Payload), out var ce, out var error), error);
                return (r, new JsonParser(JsonParser.Settings.Default.WithIgnoreUnknownFields(false)).Parse<T>(ce!.DataJson!));
            }).ToList();
        });
    }
}
