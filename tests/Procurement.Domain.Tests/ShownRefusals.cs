using Platform.Domain;
using Xunit;

namespace Platform.Procurement.Domain.Tests;

/// <summary>
/// Issue 21 (the mutation run found 194 refusal texts no test read): every refusal a test asserts is also checked for
/// what the procurement lead reads, a whole sentence with nothing left out of it. An emptied message, or a name or
/// date missing from the middle of one, fails the test that met it.
/// </summary>
internal static class ShownRefusals
{
    /// <summary>The rule code a client branches on, once the refusal's message is shown to be readable.</summary>
    public static string? ShownRule(this Refusal? refusal)
    {
        if (refusal is null) return null;
        Readable(refusal.Message, sentence: true);
        return refusal.Rule;
    }

    /// <summary>A text staff read: a sentence (capital first, full stop last), or a reason that completes one.</summary>
    public static string Readable(string? text, bool sentence)
    {
        Assert.False(string.IsNullOrWhiteSpace(text), "the text staff read is empty");
        Assert.Equal(text.Trim(), text);
        Assert.DoesNotContain("  ", text);
        Assert.DoesNotContain(" .", text);
        Assert.DoesNotContain(" ,", text);
        Assert.DoesNotContain(" :", text);
        Assert.DoesNotContain("''", text);
        Assert.DoesNotContain("()", text);
        Assert.True(text.Length >= 12, $"'{text}' is too short to tell anyone what to do");
        if (sentence)
        {
            Assert.True(char.IsUpper(text[0]), $"'{text}' does not start a sentence");
            Assert.EndsWith(".", text);
        }
        return text;
    }
}
