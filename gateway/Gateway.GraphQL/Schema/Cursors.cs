using System.Text;
using GraphQL;
using GraphQL.Types.Relay.DataObjects;

namespace Platform.Gateway.GraphQL.Schema;

/// <summary>Opaque Relay cursors: base64url of a versioned position, refused by name when a client makes one up.</summary>
internal static class Cursors
{
    private const string Prefix = "c1:";

    public static string Encode(string position) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(Prefix + position)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor)) return null;
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            if (text.StartsWith(Prefix, StringComparison.Ordinal)) return text[Prefix.Length..];
        }
        catch (FormatException)
        {
        }

        throw new ExecutionError("The cursor 'after' is not one this endpoint issued.") { Code = "BAD_CURSOR" };
    }

    /// <summary>A page of an in-memory list, the cursor being the position after an item.</summary>
    public static Connection<T> Page<T>(IReadOnlyList<T> all, int first, string? after)
    {
        var start = 0;
        if (Decode(after) is { } position && (!int.TryParse(position, out start) || start < 0))
            throw new ExecutionError("The cursor 'after' is not one this endpoint issued.") { Code = "BAD_CURSOR" };
        var items = all.Skip(start).Take(first).ToList();
        var edges = items.Select((item, i) => new Edge<T> { Node = item, Cursor = Encode((start + i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)) }).ToList();
        return Build(edges, hasNext: start + items.Count < all.Count, hasPrevious: start > 0, total: all.Count);
    }

    /// <summary>
    /// A page of a service's cursor-paged list. A cursor is the service's page token plus how many of that page were
    /// shown before it, and the page's end cursor is the service's own next-page token: following end cursors asks the
    /// service for exactly the rows shown, no look-ahead row, so a service that records each row it answers (consent's
    /// access records) records exactly what the caller sees. Resuming from a cursor inside a page asks again for that
    /// page's earlier rows.
    /// </summary>
    public static async Task<Connection<T>> ServicePageAsync<T>(string? after, int first, int maxPageSize,
        Func<string, int, Task<(IReadOnlyList<T> Items, string Next)>> fetch)
    {
        var (token, skip) = ("", 0);
        if (Decode(after) is { } position)
        {
            var bar = position.LastIndexOf('|');
            if (bar < 0 || !int.TryParse(position.AsSpan(bar + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out skip) || skip > maxPageSize)
                throw new ExecutionError("The cursor 'after' is not one this endpoint issued.") { Code = "BAD_CURSOR" };
            token = position[..bar];
        }

        if (first == 0) return Build(new List<Edge<T>>(), hasNext: true, hasPrevious: skip > 0 || token.Length > 0);
        var (items, next) = await fetch(token, skip + first);
        var shown = items.Skip(skip).Take(first).ToList();
        var complete = items.Count >= skip + first && next.Length > 0;
        var edges = shown.Select((item, i) => new Edge<T>
        {
            Node = item,
            Cursor = Encode(i == shown.Count - 1 && complete ? $"{next}|0" : $"{token}|{skip + i + 1}"),
        }).ToList();
        return Build(edges, hasNext: complete, hasPrevious: skip > 0 || token.Length > 0);
    }

    public static Connection<T> Build<T>(List<Edge<T>> edges, bool hasNext, bool hasPrevious, int? total = null) => new()
    {
        Edges = edges,
        TotalCount = total,
        PageInfo = new PageInfo
        {
            HasNextPage = hasNext,
            HasPreviousPage = hasPrevious,
            StartCursor = edges.FirstOrDefault()?.Cursor,
            EndCursor = edges.LastOrDefault()?.Cursor,
        },
    };
}
