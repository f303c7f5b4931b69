using System.Globalization;
using System.Text;
using System.Text.Json;
using Platform.Audit.Domain.Canonicalization;
using Platform.Audit.Domain.Entries;

namespace Platform.Audit.Domain.Tests.Interop;

/// <summary>Our RFC 8785 canonicalizer against the npm package canonicalize, byte for byte, over one corpus.</summary>
public class CanonicalizeInteropTests
{
    private static readonly string[] HandPicked =
    [
        "\"O'Brien+Ñ <x>\"",
        """{"who":"O'Brien+\u00d1 <x>","what":"Patient/1"}""",
        """["\ud83d\ude00","emoji 😀 in text","\u2028\u2029","\u007f","\u0000\u0001\u001f\b\t\n\f\r","\"\\/"]""",
        "[1e21,1e20,0.1,-0,0,-0.0,1E-7,1e-6,123.456,9007199254740993,18446744073709551616,1e300,5e-324,-1.7976931348623157e308]",
        "[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001,100,1.5e3,-12.34e-5]",
        """{"z":{"b":[{"y":1,"x":[]}],"a":{}},"a":null,"A":true,"é":false,"€":1,"😀":2,"דּ":3,"\r":4,"1":5,"\u0080":6}""",
        """{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/","literals":[null,true,false]}""",
        "{}",
        "[]",
        "[[[[[[[[[[\"deep\"]]]]]]]]]]",
        "\"\"",
        // Both must refuse these.
        "\"\\ud800\"",
        "[\"lone low \\udc00 surrogate\"]",
        "[1e400]",
    ];

    private static IEnumerable<string> Random(int count, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++) yield return Value(random, depth: 0);
    }

    private static string Value(Random random, int depth)
    {
        var pick = random.Next(depth > 3 ? 4 : 7);
        return pick switch
        {
            0 => NumberText(random),
            1 => JsonSerializer.Serialize(Text(random)),
            2 => random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" },
            3 => NumberText(random),
            4 or 5 => "{" + string.Join(",", Enumerable.Range(0, random.Next(0, 6)).Select(_ => (Key: Text(random), Value: Value(random, depth + 1)))
                .DistinctBy(m => m.Key).Select(m => JsonSerializer.Serialize(m.Key) + ":" + m.Value)) + "}",
            _ => "[" + string.Join(",", Enumerable.Range(0, random.Next(0, 6)).Select(_ => Value(random, depth + 1))) + "]",
        };
    }

    private static string NumberText(Random random)
    {
        switch (random.Next(4))
        {
            case 0:
                // Any finite double, from its bits: every exponent and the shortest-digit edge cases.
                double d;
                do d = BitConverter.Int64BitsToDouble(random.NextInt64()); while (!double.IsFinite(d));
                return d.ToString("R", CultureInfo.InvariantCulture);
            case 1:
                return random.NextInt64(-(1L << 53), 1L << 53).ToString(CultureInfo.InvariantCulture);
            case 2:
                return (random.NextDouble() * Math.Pow(10, random.Next(-30, 30))).ToString("R", CultureInfo.InvariantCulture);
            default:
                return $"{random.Next(-999, 999)}.{random.Next(0, 99999)}e{random.Next(-25, 25)}";
        }
    }

    private static string Text(Random random)
    {
        var text = new StringBuilder();
        for (var i = random.Next(0, 12); i > 0; i--)
        {
            var kind = random.Next(6);
            var codePoint = kind switch
            {
                0 => random.Next(0, 0x20),
                1 => random.Next(0x20, 0x7f),
                2 => random.Next(0x7f, 0x800),
                3 => random.Next(0x800, 0xd800),
                4 => random.Next(0xe000, 0x10000),
                _ => random.Next(0x10000, 0x110000),
            };
            text.Append(char.ConvertFromUtf32(codePoint));
        }

        return text.ToString();
    }

    [Fact]
    public async Task Our_canonical_bytes_equal_the_canonicalize_packages_over_hand_picked_and_random_documents()
    {
        var corpus = HandPicked.Concat(Random(600, seed: 8785)).ToList();

        var peer = await NodePeer.RunAsync("canonicalize.mjs", JsonSerializer.Serialize(corpus));
        var theirs = peer.GetProperty("results").EnumerateArray().ToList();

        Assert.Equal(corpus.Count, theirs.Count);
        var mismatches = new List<string>();
        for (var i = 0; i < corpus.Count; i++)
        {
            string ours;
            try
            {
                ours = Convert.ToHexStringLower(JsonCanonicalizer.Canonicalize(corpus[i]));
            }
            catch (JsonCanonicalizationException e)
            {
                ours = "error: " + e.Message;
            }

            var their = theirs[i].TryGetProperty("hex", out var hex) ? hex.GetString()! : "error: " + theirs[i].GetProperty("error").GetString();
            if (ours.StartsWith("error", StringComparison.Ordinal) != their.StartsWith("error", StringComparison.Ordinal)
                || (!ours.StartsWith("error", StringComparison.Ordinal) && ours != their))
            {
                mismatches.Add($"{corpus[i]}\n  ours:   {ours}\n  theirs: {their}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(10)));
        Assert.Equal(3, theirs.Count(t => t.TryGetProperty("error", out _)));
    }

    [Fact]
    public async Task A_plain_sorted_key_encoder_reproduces_an_entrys_canonical_bytes()
    {
        var entry = AuditEntryCanonicalFormTests.ReadOfAPatient();
        var json = AuditEntryCanonicalForm.ToJson(entry).ToJsonString();

        var peer = await NodePeer.RunAsync("canonicalize.mjs", JsonSerializer.Serialize(new[] { json }));

        Assert.Equal(Convert.ToHexStringLower(AuditEntryCanonicalForm.Bytes(entry)), peer.GetProperty("results")[0].GetProperty("hex").GetString());
    }
}
