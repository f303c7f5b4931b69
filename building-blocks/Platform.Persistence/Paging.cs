using System.Text;
using Platform.Domain;

namespace Platform.Persistence;

/// <summary>Page size and opaque page tokens for list methods.</summary>
public static class Paging
{
    public const int DefaultSize = 50;
    public const int MaxSize = 500;

    /// <summary>Reads a requested page size (0 = default) and page token; refuses sizes out of range and tokens not issued by <see cref="Token"/>.</summary>
    public static bool TryRead(int requestedSize, string? token, out int size, out int offset, out Refusal? refusal)
    {
        size = requestedSize == 0 ? DefaultSize : requestedSize;
        offset = 0;
        refusal = null;
        if (size is < 1 or > MaxSize)
        {
            refusal = Refusal.Invalid("page-size.range", $"Page size must be between 1 and {MaxSize}.");
            return false;
        }
        if (string.IsNullOrEmpty(token)) return true;
        try
        {
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(token));
            if (text.StartsWith("o:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(2), out offset) && offset >= 0) return true;
        }
        catch (FormatException)
        {
        }
        refusal = Refusal.Invalid("page-token.format", "Page token is not one this service issued.");
        return false;
    }

    public static string Token(int offset) => Convert.ToBase64String(Encoding.ASCII.GetBytes($"o:{offset}"));
}
