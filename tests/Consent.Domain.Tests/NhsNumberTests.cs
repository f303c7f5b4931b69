using Platform.Consent.Domain;
using Xunit;

namespace Platform.Consent.Domain.Tests;

public class NhsNumberTests
{
    [Theory]
    [InlineData("9434765919", "9434765919")]
    [InlineData("943 476 5919", "9434765919")]
    [InlineData("943-476-5919", "9434765919")]
    [InlineData("4010232137", "4010232137")]
    [InlineData("9990000018", "9990000018")]
    public void A_number_with_the_right_check_digit_is_accepted(string input, string expected)
    {
        var outcome = NhsNumber.Parse(input);
        Assert.False(outcome.IsRefused, outcome.Refusal?.Message);
        Assert.Equal(expected, outcome.Value.Value);
    }

    [Theory]
    [InlineData("9434765918")]
    [InlineData("9434765910")]
    [InlineData("4010232138")]
    public void A_typing_error_in_the_number_is_refused_by_the_check_digit(string input)
    {
        var outcome = NhsNumber.Parse(input);
        Assert.Equal("nhs-number.check-digit", outcome.Refusal?.Rule);
        Assert.Contains("check digit", outcome.Refusal!.Message);
    }

    [Fact]
    public void Nine_digits_whose_check_would_be_ten_can_never_be_valid()
    {
        // 1×10 + 1×2 = 12, and 12 mod 11 = 1, so the check would be 11 − 1 = 10: no digit fits.
        Assert.Null(NhsNumber.CheckDigit("100000001"));
        for (var last = 0; last <= 9; last++)
            Assert.Equal("nhs-number.check-digit", NhsNumber.Parse($"100000001{last}").Refusal?.Rule);
    }

    [Theory]
    [InlineData("", "nhs-number.required")]
    [InlineData(null, "nhs-number.required")]
    [InlineData("943476591", "nhs-number.format")]
    [InlineData("94347659190", "nhs-number.format")]
    [InlineData("94347659A9", "nhs-number.format")]
    [InlineData("0000000000", "nhs-number.format")]
    [InlineData("1111111111", "nhs-number.format")]
    public void Malformed_numbers_are_refused_with_the_rule_named(string? input, string rule)
    {
        Assert.Equal(rule, NhsNumber.Parse(input).Refusal?.Rule);
    }
}
