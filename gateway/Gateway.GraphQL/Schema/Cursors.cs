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
