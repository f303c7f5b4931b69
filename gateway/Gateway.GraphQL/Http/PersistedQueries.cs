using System.Security.Cryptography;
using System.Text;
using GraphQL;
using Microsoft.Extensions.Caching.Memory;

namespace Platform.Gateway.GraphQL.Http;

/// <summary>
/// Automatic persisted queries (Apollo's shape, <c>extensions.persistedQuery {version: 1, sha256Hash}</c>): a client
/// sends the hash alone, and the full text once when told PERSISTED_QUERY_NOT_FOUND. Only text whose SHA-256 is the
/// hash it came with is kept, in a bounded cache. GraphQL.NET's own persisted documents take ids of documents known in
/// advance and never register one on a miss, so this part is ours (ADR 0026).
/// </summary>
public sealed class PersistedQueries(GraphQLOptions options)
{
    public const string NotFound = "PERSISTED_QUERY_NOT_FOUND";
    public const string HashMismatch = "PERSISTED_QUERY_HASH_MISMATCH";

    private readonly MemoryCache _documents = new(new MemoryCacheOptions { SizeLimit = options.PersistedQueryCapacity });

    /// <summary>The document to run: <paramref name="query"/> (remembered under <paramref name="hash"/>), or the one remembered.</summary>
    public string Resolve(string? query, string hash)
    {
        if (hash.Length != 64 || !hash.All(Uri.IsHexDigit))
            throw new ExecutionError("persistedQuery.sha256Hash must be 64 hexadecimal digits.") { Code = "BAD_REQUEST" };
        var key = hash.ToLowerInvariant();
        if (query is null)
        {
            return _documents.TryGetValue(key, out string? known) ? known!
                : throw new ExecutionError("PersistedQueryNotFound") { Code = NotFound };
        }

        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(query))), key, StringComparison.Ordinal))
            throw new ExecutionError("persistedQuery.sha256Hash is not the SHA-256 of the query.") { Code = HashMismatch };
        _documents.Set(key, query, new MemoryCacheEntryOptions { Size = 1 });
        return query;
    }
}
