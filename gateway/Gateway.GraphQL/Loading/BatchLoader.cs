using GraphQL.DataLoader;

namespace Platform.Gateway.GraphQL.Loading;

/// <summary>
/// Collects the keys every resolver of one execution level asks for, then fetches them together once, the first time
/// any of their results is awaited. GraphQL.NET's execution strategy resolves a whole level before it awaits the
/// <see cref="IDataLoaderResult{T}"/>s the resolvers returned, so one level costs one fetch. Results are kept for the
/// request: a key asked for twice is fetched once. Scoped per request. (GraphQL.DataLoader, the package with
/// GraphQL.NET's own loaders, is not served here: ADR 0026.)
/// </summary>
public sealed class BatchLoader<TKey, TValue>(Func<IReadOnlyList<TKey>, CancellationToken, Task<IReadOnlyDictionary<TKey, TValue>>> fetch, TValue missing)
    where TKey : notnull
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TKey, TaskCompletionSource<TValue>> _known = [];
    private List<(TKey Key, TaskCompletionSource<TValue> Result)> _pending = [];

    public IDataLoaderResult<TValue> Load(TKey key)
    {
        lock (_gate)
        {
            if (!_known.TryGetValue(key, out var result))
            {
                result = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
                _known[key] = result;
                _pending.Add((key, result));
            }

            return new Pending(this, result.Task);
        }
    }

    /// <summary>Several keys in the same batch; the result lists their values in the order of the keys.</summary>
    public IDataLoaderResult<IReadOnlyList<TValue>> LoadMany(IEnumerable<TKey> keys)
    {
        var each = keys.Select(Load).ToList();
        return new Many(this, each);
    }

    private async Task DispatchAsync(CancellationToken cancellationToken)
    {
        List<(TKey Key, TaskCompletionSource<TValue> Result)> batch;
        lock (_gate)
        {
            if (_pending.Count == 0) return;
            batch = _pending;
            _pending = [];
        }

        try
        {
            var found = await fetch(batch.Select(p => p.Key).ToList(), cancellationToken);
            foreach (var (key, result) in batch) result.TrySetResult(found.TryGetValue(key, out var value) ? value : missing);
        }
        catch (Exception e)
        {
            foreach (var (_, result) in batch) result.TrySetException(e);
        }
    }

    private sealed class Pending(BatchLoader<TKey, TValue> loader, Task<TValue> result) : IDataLoaderResult<TValue>
    {
        public async Task<TValue> GetResultAsync(CancellationToken cancellationToken = default)
        {
            if (!result.IsCompleted) await loader.DispatchAsync(cancellationToken);
            return await result.WaitAsync(cancellationToken);
        }

        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) => await GetResultAsync(cancellationToken);
    }

    private sealed class Many(BatchLoader<TKey, TValue> loader, List<IDataLoaderResult<TValue>> each) : IDataLoaderResult<IReadOnlyList<TValue>>
    {
        public async Task<IReadOnlyList<TValue>> GetResultAsync(CancellationToken cancellationToken = default)
        {
            await loader.DispatchAsync(cancellationToken);
            var values = new List<TValue>(each.Count);
            foreach (var one in each) values.Add(await one.GetResultAsync(cancellationToken));
            return values;
        }

        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) => await GetResultAsync(cancellationToken);
    }
}

/// <summary>Shaping a loaded value without waiting for it (as GraphQL.DataLoader's <c>Then</c>, which is not served).</summary>
public static class DataLoaderResultExtensions
{
    public static IDataLoaderResult<TResult> Then<T, TResult>(this IDataLoaderResult<T> result, Func<T, TResult> shape) => new Shaped<T, TResult>(result, shape);

    private sealed class Shaped<T, TResult>(IDataLoaderResult<T> inner, Func<T, TResult> shape) : IDataLoaderResult<TResult>
    {
        public async Task<TResult> GetResultAsync(CancellationToken cancellationToken = default) => shape(await inner.GetResultAsync(cancellationToken));

        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) => await GetResultAsync(cancellationToken);
    }
}
