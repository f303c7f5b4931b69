using System.Collections.Concurrent;
using Platform.Audit.Domain.Tree;

namespace Platform.Audit.Api.Tree;

/// <summary>
/// Each trust's tree frontier after its last committed append in this process, so an append need not read it back.
/// An append uses it only when its size is the size it read under the head lock (<see cref="MerkleTree"/> checks);
/// after another replica's append, or after a crash and restart, the sizes differ and the frontier is read from the
/// database. Only committed frontiers are kept: the log is append-only, so a committed frontier of size n is the
/// frontier of every later reader's first n leaves.
/// </summary>
public sealed class TreeFrontiers
{
    private readonly ConcurrentDictionary<string, TreeFrontier> _byTrust = new(StringComparer.Ordinal);

    public TreeFrontier? Get(string tenant) => _byTrust.TryGetValue(tenant, out var frontier) ? frontier : null;

    public void Committed(string tenant, TreeFrontier frontier) =>
        _byTrust.AddOrUpdate(tenant, frontier, (_, known) => known.Size >= frontier.Size ? known : frontier);
}
