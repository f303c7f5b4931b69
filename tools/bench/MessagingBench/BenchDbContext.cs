using MessagingBench.V1;
using Microsoft.EntityFrameworkCore;
using Platform.Messaging;
using Platform.Messaging.Inbox;

namespace MessagingBench;

public sealed class Order
{
    public Guid Id { get; set; }
    public string Tenant { get; set; } = "";
    public string Ward { get; set; } = "";
    public string TechnologyId { get; set; } = "";
    public long AmountPence { get; set; }
    public string PlacedBy { get; set; } = "";
    public DateTime PlacedAt { get; set; }
}

public sealed class Ward
{
    public string Code { get; set; } = "";
    public string Tenant { get; set; } = "";
    public int Orders { get; set; }
}

public sealed class BenchDbContext(DbContextOptions<BenchDbContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<Ward> Wards => Set<Ward>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>(e =>
        {
            e.ToTable("orders");
            e.HasKey(o => o.Id);
            e.HasIndex(o => new { o.Tenant, o.PlacedAt });
        });
        modelBuilder.Entity<Ward>(e =>
        {
            e.ToTable("wards");
            e.HasKey(w => w.Code);
        });
        modelBuilder.AddOutbox();
        modelBuilder.AddInbox();
    }
}

/// <summary>The subscriber's projection: one row per order, written in the inbox transaction.</summary>
public sealed class OrderPlacedHandler(BenchDbContext db) : IEventHandler<OrderPlaced>
{
    public Task HandleAsync(OrderPlaced message, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        db.Orders.Add(new Order
        {
            Id = Guid.Parse(message.OrderId), Tenant = envelope.Tenant, Ward = message.WardCode, TechnologyId = message.TechnologyId,
            AmountPence = message.AmountPence, PlacedBy = message.PlacedBy, PlacedAt = message.PlacedAt.ToDateTime(),
        });
        return Task.CompletedTask;
    }
}
