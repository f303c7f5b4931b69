using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Audit.Domain.Canonicalization;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme (JCS): object members sorted by their names' UTF-16 code units, no
/// whitespace, strings with the minimal escaping of ECMAScript's JSON.stringify, numbers as ECMAScript prints an
/// IEEE 754 double, UTF-8 output. Written here because no served package implements it (docs/decisions/0015);
/// tests/interop checks it byte for byte against the npm package canonicalize by one of the RFC's authors.
/// </summary>
public static class JsonCanonicalizer
{
    // Strict UTF-8: a lone surrogate in a string cannot be encoded, and RFC 8785 §3.2.2.2 requires an error.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly JsonDocumentOptions StrictParsing = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    /// <summary>Parses JSON text (duplicate member names are refused, as I-JSON requires) and canonicalizes it.</summary>
    public static byte[] Canonicalize(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: StrictParsing);
        }
        catch (JsonException e)
        {
            throw new JsonCanonicalizationException($"Not I-JSON: {e.Message}", e);
        }

        return Canonicalize(node);
    }

    public static byte[] Canonicalize(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(node, text);
        try
        {
            return StrictUtf8.GetBytes(text.ToString());
        }
        catch (EncoderFallbackException e)
        {
            throw new JsonCanonicalizationException("A string holds a lone UTF-16 surrogate, which has no UTF-8 form.", e);
        }
    }

    private static void Write(JsonNode? node, StringBuilder text)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject obj:
                WriteObject(obj, text);
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0) text.Append(',');
                    Write(array[i], text);
                }

                text.Append(']');
                break;
            case JsonValue value:
                WriteValue(value, text);
                break;
        }
    }

    private static void WriteObject(JsonObject obj, StringBuilder text)
    {
        var members = new List<KeyValuePair<string, JsonNode?>>(obj.Count);
        members.AddRange(obj);
        // string.CompareOrdinal compares UTF-16 code units, which is exactly RFC 8785 §3.2.3's order.
        members.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        text.Append('{');
        for (var i = 0; i < members.Count; i++)
        {
            if (i > 0)
            {
                if (members[i].Key == members[i - 1].Key) throw new JsonCanonicalizationException($"Duplicate member name '{members[i].Key}'.");
                text.Append(',');
            }

            WriteString(members[i].Key, text);
            text.Append(':');
            Write(members[i].Value, text);
        }

        text.Append('}');
    }

    private static void WriteValue(JsonValue value, StringBuilder text)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                string s;
                try
                {
                    s = value.GetValue<string>();
                }
                catch (InvalidOperationException e)
                {
                    // System.Text.Json will not unescape "\ud800" alone into a string.
                    throw new JsonCanonicalizationException($"Not I-JSON: {e.Message}", e);
                }

                WriteString(s, text);
                break;
            case JsonValueKind.Number:
                // Whatever the CLR type behind the node, JCS treats every number as an IEEE 754 double (§3.2.2.3).
                var raw = value.ToJsonString();
                var number = double.Parse(raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
                text.Append(EcmaScriptNumber.Format(number));
                break;
            case JsonValueKind.True:
                text.Append("true");
                break;
            case JsonValueKind.False:
                text.Append("false");
                break;
            case JsonValueKind.Null:
                text.Append("null");
                break;
            default:
                throw new JsonCanonicalizationException($"Unsupported JSON value kind {value.GetValueKind()}.");
        }
    }

    /// <summary>RFC 8785 §3.2.2.2: escape only '"', '\\' and U+0000..U+001F, with the two-letter forms where JSON has them.</summary>
    private static void WriteString(string value, StringBuilder text)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case < ' ':
                    text.Append("\\u00").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        text.Append('"');
    }
}

public sealed class JsonCanonicalizationException(string message, Exception? inner = null) : Exception(message, inner);
