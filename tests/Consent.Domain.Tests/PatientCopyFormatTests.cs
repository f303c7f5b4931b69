using Platform.Consent.Domain;
using Xunit;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// The patient's copy in the accessible format recorded on the care plan (P2; the Accessible Information Standard,
/// DCB1605): what is generated, and what staff are asked to arrange.
/// </summary>
public sealed class PatientCopyFormatTests
{
    [Theory]
    [InlineData(AccessibleFormat.StandardWritten, PatientCopyLayout.PlainLanguage)]
    [InlineData(AccessibleFormat.LargePrint, PatientCopyLayout.LargePrint)]
    [InlineData(AccessibleFormat.EasyRead, PatientCopyLayout.EasyRead)]
    public void Plain_language_large_print_and_easy_read_are_generated_and_nothing_is_left_to_arrange(AccessibleFormat recorded, PatientCopyLayout layout)
    {
        Assert.Equal((layout, AccessibleFormat.Unspecified), PatientCopyFormat.For(recorded));
        Assert.Null(PatientCopyFormat.ToArrangeInWords(PatientCopyFormat.For(recorded).ToArrange));
    }

    [Theory]
    [InlineData(AccessibleFormat.Braille, PatientCopyLayout.LargePrint, "braille")]
    [InlineData(AccessibleFormat.Audio, PatientCopyLayout.PlainLanguage, "audio")]
    [InlineData(AccessibleFormat.Video, PatientCopyLayout.PlainLanguage, "video")]
    [InlineData(AccessibleFormat.BritishSignLanguage, PatientCopyLayout.PlainLanguage, "British Sign Language")]
    [InlineData(AccessibleFormat.SpokenLanguageInterpreter, PatientCopyLayout.PlainLanguage, "interpreter")]
    [InlineData(AccessibleFormat.VerbalWithVisualAids, PatientCopyLayout.EasyRead, "pictures")]
    [InlineData(AccessibleFormat.Other, PatientCopyLayout.PlainLanguage, "format recorded")]
    public void Any_other_format_is_named_for_staff_to_arrange_beside_the_nearest_generated_copy(AccessibleFormat recorded, PatientCopyLayout nearest, string words)
    {
        var (layout, toArrange) = PatientCopyFormat.For(recorded);
        Assert.Equal((nearest, recorded), (layout, toArrange));
        Assert.Contains(words, PatientCopyFormat.ToArrangeInWords(toArrange));
    }
}
