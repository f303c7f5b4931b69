using System.Globalization;
using System.Net;
using System.Text;

namespace Platform.Grpc.Internal;

/// <summary>Wire-level constants and encodings from PROTOCOL-HTTP2.md.</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusTrailer = "grpc-status";
    public const string MessageTrailer = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string Identity = "identity";
    public const string Gzip = "gzip";
    public const string SupportedEncodings = "identity,gzip";
    public const int HeaderSize = 5;
    public const int DefaultMaxMessageSize = 4 * 1024 * 1024;

    /// <summary>The longest deadline honoured with a timer; longer ones are treated as no deadline.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(30);

    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (contentType.Length == ContentType.Length)
        {
            return true;
        }

        // application/grpc+proto, application/grpc;charset=...; but not application/grpc-web.
        var next = contentType[ContentType.Length];
        return next is '+' or ';';
    }

    public static bool IsSupportedEncoding(string encoding) =>
        string.Equals(encoding, Identity, StringComparison.OrdinalIgnoreCase) ||
        string.Equals(encoding, Gzip, StringComparison.OrdinalIgnoreCase);

    public static bool AcceptsEncoding(string? acceptEncoding, string encoding)
    {
        if (acceptEncoding is null)
        {
            return false;
        }

        foreach (var part in acceptEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (string.Equals(part, encoding, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Parses <c>grpc-timeout</c>: 1 to 8 ASCII digits and a unit (H, M, S, m, u, n).</summary>
    public static bool TryParseTimeout(string value, out TimeSpan timeout)
    {
        timeout = default;
        if (value.Length < 2 || value.Length > 9)
        {
            return false;
        }

        long amount = 0;
        for (var i = 0; i < value.Length - 1; i++)
        {
            var c = value[i];
            if (c is < '0' or > '9')
            {
                return false;
            }

            amount = amount * 10 + (c - '0');
        }

        // Ticks are 100 ns; 8 digits of hours still fits in a TimeSpan.
        long ticks;
        switch (value[^1])
        {
            case 'H': ticks = amount * TimeSpan.TicksPerHour; break;
            case 'M': ticks = amount * TimeSpan.TicksPerMinute; break;
            case 'S': ticks = amount * TimeSpan.TicksPerSecond; break;
            case 'm': ticks = amount * TimeSpan.TicksPerMillisecond; break;
            case 'u': ticks = amount * 10; break;
            case 'n': ticks = amount / 100; break;
            default: return false;
        }

        timeout = TimeSpan.FromTicks(ticks);
        return true;
    }

    /// <summary>Formats a timeout in the finest unit that fits in 8 digits, rounding up.</summary>
    public static string FormatTimeout(TimeSpan timeout)
    {
        var ticks = Math.Max(1L, timeout.Ticks);
        const long max = 99_999_999;
        var micros = (ticks + 9) / 10;
        if (micros <= max)
        {
            return micros.ToString(CultureInfo.InvariantCulture) + "u";
        }

        var millis = (ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        if (millis <= max)
        {
            return millis.ToString(CultureInfo.InvariantCulture) + "m";
        }

        var seconds = (ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        if (seconds <= max)
        {
            return seconds.ToString(CultureInfo.InvariantCulture) + "S";
        }

        var minutes = Math.Min(max, (ticks + TimeSpan.TicksPerMinute - 1) / TimeSpan.TicksPerMinute);
        return minutes.ToString(CultureInfo.InvariantCulture) + "M";
    }

    /// <summary>Percent-encodes a status message: UTF-8, with bytes outside 0x20-0x7E and '%' escaped.</summary>
    public static string PercentEncode(string message)
    {
        var needs = false;
        foreach (var c in message)
        {
            if (c < 0x20 || c > 0x7E || c == '%')
            {
                needs = true;
                break;
            }
        }

        if (!needs)
        {
            return message;
        }

        var bytes = Encoding.UTF8.GetBytes(message);
        var sb = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b < 0x20 || b > 0x7E || b == '%')
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append((char)b);
            }
        }

        return sb.ToString();
    }

    /// <summary>Decodes a percent-encoded status message; malformed escapes are kept as they are.</summary>
    public static string PercentDecode(string value)
    {
        if (!value.Contains('%'))
        {
            return value;
        }

        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length &&
                byte.TryParse(value.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
            {
                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>Decodes a -bin header value; accepts padded and unpadded base64, and comma-joined values.</summary>
    public static IEnumerable<byte[]> DecodeBinaryHeader(string value)
    {
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var padded = (part.Length % 4) switch
            {
                2 => part + "==",
                3 => part + "=",
                _ => part,
            };
            yield return Convert.FromBase64String(padded);
        }
    }

    /// <summary>Encodes a -bin value as unpadded base64, as the protocol recommends.</summary>
    public static string EncodeBinaryHeader(byte[] value) => Convert.ToBase64String(value).TrimEnd('=');

    /// <summary>Headers that belong to the protocol or transport and never show up as call metadata.</summary>
    public static bool IsReservedHeader(string key) =>
        key.StartsWith(':') ||
        (key.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase) && !string.Equals(key, "grpc-status-details-bin", StringComparison.OrdinalIgnoreCase)) ||
        string.Equals(key, "content-type", StringComparison.OrdinalIgnoreCase) ||
        string.Equals(key, "te", StringComparison.OrdinalIgnoreCase) ||
        string.Equals(key, "content-length", StringComparison.OrdinalIgnoreCase) ||
        string.Equals(key, "host", StringComparison.OrdinalIgnoreCase) ||
        string.Equals(key, "connection", StringComparison.OrdinalIgnoreCase);

    /// <summary>Adds one received header to metadata, decoding -bin values; a malformed value is dropped.</summary>
    public static void AddHeader(Metadata metadata, string key, string value)
    {
        var lower = key.ToLowerInvariant();
        if (IsReservedHeader(lower))
        {
            return;
        }

        try
        {
            if (lower.EndsWith(Metadata.BinaryHeaderSuffix, StringComparison.Ordinal))
            {
                foreach (var bytes in DecodeBinaryHeader(value))
                {
                    metadata.Add(lower, bytes);
                }
            }
            else
            {
                metadata.Add(lower, value);
            }
        }
        catch (FormatException)
        {
        }
        catch (ArgumentException)
        {
        }
    }

    /// <summary>The value to send for one metadata entry.</summary>
    public static string HeaderValue(Metadata.Entry entry) =>
        entry.IsBinary ? EncodeBinaryHeader(entry.ValueBytes) : entry.Value;

    /// <summary>Maps an HTTP status other than 200 to a gRPC status, as PROTOCOL-HTTP2.md / http-grpc-status-mapping.md say.</summary>
    public static StatusCode FromHttpStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => StatusCode.Internal,
        HttpStatusCode.Unauthorized => StatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
        HttpStatusCode.NotFound => StatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    public static bool TryParseStatus(string? value, out StatusCode code)
    {
        code = StatusCode.Unknown;
        if (value is null || !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        code = (StatusCode)number;
        return true;
    }
}
