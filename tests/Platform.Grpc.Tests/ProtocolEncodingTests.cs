using Platform.Grpc.Internal;

namespace Platform.Grpc.Tests;

public sealed class ProtocolEncodingTests
{
    [Theory]
    [InlineData("1H", 3600_000)]
    [InlineData("2M", 120_000)]
    [InlineData("3S", 3_000)]
    [InlineData("250m", 250)]
    [InlineData("1500u", 1.5)]
    [InlineData("2000000n", 2)]
    [InlineData("99999999m", 99_999_999)]
    public void Grpc_timeout_values_parse_in_every_unit(string value, double expectedMilliseconds)
    {
        Assert.True(GrpcProtocol.TryParseTimeout(value, out var timeout));
        Assert.Equal(expectedMilliseconds, timeout.TotalMilliseconds, 3);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("100")]
    [InlineData("100s")]
    [InlineData("123456789m")]
    [InlineData(" 1S")]
    [InlineData("1.5S")]
    public void Malformed_grpc_timeout_values_are_refused(string value) => Assert.False(GrpcProtocol.TryParseTimeout(value, out _));

    [Theory]
    [InlineData(0.001)]
    [InlineData(250)]
    [InlineData(99_999)]
    [InlineData(86_400_000)]
    [InlineData(30L * 86_400_000)]
    public void Formatted_timeout_fits_eight_digits_and_never_shortens_the_deadline(double milliseconds)
    {
        var timeout = TimeSpan.FromMilliseconds(milliseconds);
        var formatted = GrpcProtocol.FormatTimeout(timeout);
        Assert.InRange(formatted.Length, 2, 9);
        Assert.True(GrpcProtocol.TryParseTimeout(formatted, out var parsed));
        Assert.True(parsed >= timeout, $"{formatted} is shorter than {timeout}");
    }

    [Theory]
    [InlineData("plain ascii", "plain ascii")]
    [InlineData("100%", "100%25")]
    [InlineData("tab\tnewline\n", "tab%09newline%0A")]
    [InlineData("\u263A", "%E2%98%BA")]
    public void Status_messages_percent_encode_and_decode_back(string message, string wire)
    {
        Assert.Equal(wire, GrpcProtocol.PercentEncode(message));
        Assert.Equal(message, GrpcProtocol.PercentDecode(wire));
    }

    [Theory]
    [InlineData("%", "%")]
    [InlineData("%G1 left as is", "%G1 left as is")]
    [InlineData("ends with %4", "ends with %4")]
    public void Malformed_percent_escapes_are_kept_as_they_are(string wire, string expected) =>
        Assert.Equal(expected, GrpcProtocol.PercentDecode(wire));

    [Fact]
    public void Binary_metadata_accepts_padded_unpadded_and_comma_joined_base64()
    {
        Assert.Equal([[0xab, 0xab, 0xab]], GrpcProtocol.DecodeBinaryHeader("q6ur"));
        Assert.Equal([[0xab]], GrpcProtocol.DecodeBinaryHeader("qw=="));
        Assert.Equal([[0xab]], GrpcProtocol.DecodeBinaryHeader("qw"));
        Assert.Equal([[0x01], [0x02]], GrpcProtocol.DecodeBinaryHeader("AQ,Ag=="));
        Assert.Equal("qw", GrpcProtocol.EncodeBinaryHeader([0xab]));
    }

    [Fact]
    public void Metadata_keys_are_lower_cased_and_reserved_or_invalid_keys_are_refused()
    {
        var metadata = new Metadata { { "X-Trace-Id", "abc" } };
        Assert.Equal("x-trace-id", metadata[0].Key);
        Assert.Throws<ArgumentException>(() => metadata.Add("grpc-status", "0"));
        Assert.Throws<ArgumentException>(() => metadata.Add("bad key", "v"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-bin", "text for a binary key"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-text", "line\nbreak"));
    }
}
