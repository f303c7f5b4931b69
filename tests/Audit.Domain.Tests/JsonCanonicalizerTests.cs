using System.Text;
using Platform.Audit.Domain.Canonicalization;

namespace Platform.Audit.Domain.Tests;

public class JsonCanonicalizerTests
{
    private static string Canonical(string json) => Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(json));

    [Fact]
    public void The_RFC_8785_sample_object_canonicalizes_to_the_published_bytes()
    {
        // RFC 8785 §3.2.2 input and §3.2.4 output.
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;
        const string expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";

        Assert.Equal(Encoding.UTF8.GetBytes(expected), JsonCanonicalizer.Canonicalize(input));
    }

    [Fact]
    public void Members_are_sorted_by_UTF16_code_units_as_in_the_RFC_8785_sorting_example()
    {
        // RFC 8785 §3.2.3: the emoji (surrogates D83D DE00) sorts before U+FB33 although its code point is larger.
        const string input = """
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """;

        var bytes = JsonCanonicalizer.Canonicalize(input);

        // The expected bytes, written out: "\r", "1", U+0080, U+00F6, U+20AC, U+1F600, U+FB33.
        Assert.Equal(
            "7b225c72223a2243617272696167652052657475726e222c2231223a224f6e65222c22c280223a22436f6e74726f6c222c22c3b6223a224c6174696e20536d616c6c" +
            "204c6574746572204f205769746820446961657265736973222c22e282ac223a224575726f205369676e222c22f09f9880223a22456d6f6a693a204772696e6e696e67" +
            "2046616365222c22efacb3223a22486562726577204c65747465722044616c6574205769746820446167657368227d",
            Convert.ToHexStringLower(bytes));
    }

    [Theory]
    [InlineData("0000000000000000", "0")]
    [InlineData("8000000000000000", "0")]
    [InlineData("0000000000000001", "5e-324")]
    [InlineData("8000000000000001", "-5e-324")]
    [InlineData("7fefffffffffffff", "1.7976931348623157e+308")]
    [InlineData("ffefffffffffffff", "-1.7976931348623157e+308")]
    [InlineData("4340000000000000", "9007199254740992")]
    [InlineData("c340000000000000", "-9007199254740992")]
    [InlineData("4430000000000000", "295147905179352830000")]
    [InlineData("44b52d02c7e14af5", "9.999999999999997e+22")]
    [InlineData("44b52d02c7e14af6", "1e+23")]
    [InlineData("44b52d02c7e14af7", "1.0000000000000001e+23")]
    [InlineData("444b1ae4d6e2ef4e", "999999999999999700000")]
    [InlineData("444b1ae4d6e2ef4f", "999999999999999900000")]
    [InlineData("444b1ae4d6e2ef50", "1e+21")]
    [InlineData("3eb0c6f7a0b5ed8c", "9.999999999999997e-7")]
    [InlineData("3eb0c6f7a0b5ed8d", "0.000001")]
    [InlineData("41b3de4355555553", "333333333.3333332")]
    [InlineData("41b3de4355555554", "333333333.33333325")]
    [InlineData("41b3de4355555555", "333333333.3333333")]
    [InlineData("41b3de4355555556", "333333333.3333334")]
    [InlineData("41b3de4355555557", "333333333.33333343")]
    [InlineData("becbf647612f3696", "-0.0000033333333333333333")]
    [InlineData("43143ff3c1cb0959", "1424953923781206.2")]
    public void Numbers_print_as_ECMAScript_does_per_RFC_8785_appendix_B(string ieee754, string expected)
    {
        var value = BitConverter.Int64BitsToDouble(Convert.ToInt64(ieee754, 16));

        Assert.Equal(expected, EcmaScriptNumber.Format(value));
    }

    [Theory]
    [InlineData("7fffffffffffffff")]
    [InlineData("7ff0000000000000")]
    [InlineData("fff0000000000000")]
    public void NaN_and_infinities_are_refused(string ieee754)
    {
        var value = BitConverter.Int64BitsToDouble(Convert.ToInt64(ieee754, 16));

        Assert.Throws<JsonCanonicalizationException>(() => EcmaScriptNumber.Format(value));
    }

    [Fact]
    public void A_number_too_large_for_a_double_is_refused() =>
        Assert.Throws<JsonCanonicalizationException>(() => JsonCanonicalizer.Canonicalize("[1e400]"));

    [Fact]
    public void Apostrophes_plus_signs_angle_brackets_and_accents_are_written_as_themselves()
    {
        // .NET's default JSON encoder writes \u0027, \u002B, \u003C and \u00D1 here; JCS writes the characters.
        Assert.Equal("\"O'Brien+\u00d1 <x>\"", Canonical("\"O'Brien+\\u00d1 <x>\""));
        Assert.Equal("22 4f 27 42 72 69 65 6e 2b c3 91 20 3c 78 3e 22".Replace(" ", ""), Convert.ToHexStringLower(JsonCanonicalizer.Canonicalize("\"O'Brien+Ñ <x>\"")));
    }

    [Fact]
    public void Control_characters_take_the_short_escape_or_lower_case_u00XX_and_DEL_stays_raw()
    {
        Assert.Equal("\"\\b\\t\\n\\f\\r\\u0000\\u0001\\u001f\u007f/\"", Canonical("\"\\b\\t\\n\\f\\r\\u0000\\u0001\\u001F\\u007f\\/\""));
    }

    [Fact]
    public void A_surrogate_pair_becomes_four_UTF8_bytes() =>
        Assert.Equal("22f09f988022", Convert.ToHexStringLower(JsonCanonicalizer.Canonicalize("\"\\ud83d\\ude00\"")));

    [Fact]
    public void A_lone_surrogate_is_refused()
    {
        var node = System.Text.Json.Nodes.JsonValue.Create("broken \ud800 pair");

        Assert.Throws<JsonCanonicalizationException>(() => JsonCanonicalizer.Canonicalize(node));
    }

    [Fact]
    public void Duplicate_member_names_are_refused() =>
        Assert.Throws<JsonCanonicalizationException>(() => JsonCanonicalizer.Canonicalize("""{"a":1,"a":2}"""));

    [Fact]
    public void Whitespace_goes_and_nesting_keeps_its_order_of_arrays()
    {
        Assert.Equal("""{"a":[3,{"b":null,"c":[]}],"z":{}}""", Canonical(""" { "z" : { } , "a" : [ 3 , { "c" : [ ] , "b" : null } ] } """));
    }
}
