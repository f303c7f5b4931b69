using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Platform.Consent.Api.Application;
using Platform.Consent.Domain;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// The patient copy as PDF, read back the way a patient's viewer would: the text is extracted by poppler's pdftotext
/// (Debian poppler-utils, installed by tools/test.sh), never by PDFsharp itself.
/// </summary>
public sealed partial class CarePlanPdfTests
{
    private static readonly DateTimeOffset Produced = new(2026, 11, 22, 9, 30, 0, TimeSpan.Zero);

    private static TechnologyUse Use(string technology = "Oxevision vision-based monitoring", string? reason = null)
    {
        var use = new TechnologyUse
        {
            Id = Guid.CreateVersion7(),
            PatientId = Guid.CreateVersion7(),
            TechnologyId = Guid.CreateVersion7(),
            WardCode = "WILLOW",
            SettingCode = "acute-adult",
            Purpose = UsePurpose.PatientSafety,
            Status = UseStatus.Active,
            LawfulBasisKind = LawfulBasisKind.OwnConsent,
            CarePlan = new CarePlanRecord
            {
                Id = Guid.CreateVersion7(),
                TechnologyName = technology,
                Reason = reason ?? "To check you are safe at night without staff opening your door and waking you.",
                WhenAndHowUsed = "Between 10pm and 7am. A sensor in your bedroom measures your breathing and movement; staff see an alert if you might be unwell.",
                InformationGiven = "We talked it through with you and your sister and gave you the leaflet about the sensor.",
                InformationFormat = AccessibleFormat.EasyRead,
                DecisionMakingProcess = "Your named nurse, your consultant and you discussed it at your ward round.",
                DataUse = "The readings stay in the hospital record system for 30 days and are only seen by ward staff.",
                NextReviewDate = new DateTime(2027, 1, 15, 0, 0, 0, DateTimeKind.Utc),
                ReviewCovers = "whether the sensor still helps you sleep and whether you still want it.",
                HowToWithdraw = "Tell any member of staff, or ask your advocate to tell us for you.",
            },
        };
        return use;
    }

    private static CarePlanView View(TechnologyUse use) => new(use, use.PatientCopy());

    [Fact]
    public void The_pdf_is_a_valid_tagged_A4_document_with_title_subject_and_language()
    {
        var use = Use();
        var pdf = CarePlanPdf.Render(View(use), Produced);

        Assert.StartsWith("%PDF-", Encoding.ASCII.GetString(pdf, 0, 5));
        var info = Poppler("pdfinfo", pdf);
        Assert.Contains("Title:           Your care plan: Oxevision vision-based monitoring", info);
        Assert.Contains("Subject:         Your copy of your care plan for using Oxevision vision-based monitoring, in plain language.", info);
        Assert.Contains("Tagged:          yes", info);
        Assert.Matches(@"Page size:\s+595\.2\d? x 841\.8\d? pts \(A4\)", info);
        Assert.Contains("/Lang(en-GB)", Encoding.Latin1.GetString(pdf));
        // Every font is embedded: the PDF reads the same on any machine.
        var fonts = Poppler("pdffonts", pdf).Split('\n').Skip(2).Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(fonts);
        Assert.All(fonts, f => Assert.Matches(@"\syes\s+yes\s", f));
        // And they are the DejaVu faces, whose licence lets us embed them (docs/decisions/0013-pdfsharp-mit.md).
        Assert.All(fonts, f => Assert.Matches(@"^[A-Z]{6}\+DejaVu Sans(,Bold)?\s", f));
    }

    [Fact]
    public void A_user_sees_the_title_all_eight_items_the_lawful_basis_the_review_and_how_to_withdraw()
    {
        var use = Use();
        var plan = use.CarePlan;
        var pdf = CarePlanPdf.Render(View(use), Produced);
        var text = Flat(Text(pdf));

        string[] inOrder =
        [
            "Your care plan: Oxevision vision-based monitoring",
            "What we are using", "We are using Oxevision vision-based monitoring as part of your care.",
            "What this is for", plan.Reason,
            "When and how it will be used", plan.WhenAndHowUsed,
            "What we told you", plan.InformationGiven, "We gave you this information as: easy read.",
            "How the decision was made", "You agreed to this.", plan.DecisionMakingProcess,
            "What happens to your information", plan.DataUse,
            "When we will look at this again", "We will review this by 15 January 2027.", "At the review we will look at: " + plan.ReviewCovers,
            "How to say no or change your mind", "You can change your mind at any time. If you do, we will stop using it straight away.", plan.HowToWithdraw,
            $"Care-plan record: {plan.Id}", "Produced on 22 November 2026. Page",
        ];
        var at = 0;
        foreach (var expected in inOrder)
        {
            var found = text.IndexOf(Flat(expected), at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"Expected, after position {at}: \"{expected}\"\nin the extracted text:\n{text}");
            at = found + Flat(expected).Length;
        }
        // Every page carries the footer, and the last says it is the last.
        var pages = PageCount(pdf);
        Assert.Equal(pages, Regex.Matches(text, Regex.Escape($"Care-plan record: {plan.Id}")).Count);
        Assert.Contains($"Page {pages} of {pages}", text);
        // The text copy's own first line is replaced by the title, not printed twice.
        Assert.DoesNotContain("Your care plan: using", text);
    }

    [Fact]
    public void The_lawful_basis_is_in_plain_words_for_a_best_interests_decision()
    {
        var use = Use();
        use.LawfulBasisKind = LawfulBasisKind.BestInterests;
        var text = Flat(Text(CarePlanPdf.Render(View(use), Produced)));
        Assert.Contains("You were not able to make this decision at the time, so we made a best-interests decision", text);
    }

    [Fact]
    public void A_long_item_runs_over_several_pages_and_every_word_of_it_is_there_in_order()
    {
        var sentences = Enumerable.Range(1, 120)
            .Select(i => $"Reason sentence {i} explains, in ordinary words, one more part of why this helps you at night.")
            .ToArray();
        var use = Use(reason: string.Join(' ', sentences));
        var pdf = CarePlanPdf.Render(View(use), Produced);

        var pages = PageCount(pdf);
        Assert.True(pages >= 3, $"expected the long reason to need at least 3 pages, got {pages}");
        // The body, without the footers that repeat on each page.
        var body = Flat(string.Join('\n', Text(pdf).Split('\n')
            .Where(l => !l.StartsWith("Care-plan record:", StringComparison.Ordinal) && !l.StartsWith("Produced on", StringComparison.Ordinal))));
        Assert.Contains(Flat(string.Join(' ', sentences)), body);
        // It really spans pages: its first sentence is on page 1 and its last on a later one.
        Assert.Contains("Reason sentence 1 explains", Flat(Text(pdf, page: 1)));
        Assert.DoesNotContain("Reason sentence 120 explains", Flat(Text(pdf, page: 1)));
        Assert.Contains($"Page {pages} of {pages}", Flat(Text(pdf, page: pages)));
        // And everything after it still follows.
        Assert.Contains(Flat(use.CarePlan.HowToWithdraw), body);
    }

    [Fact]
    public void A_word_too_long_for_a_line_is_broken_not_cut_off()
    {
        var link = "https://www.example.nhs.uk/" + string.Concat(Enumerable.Repeat("our-leaflets-about-monitoring-", 6)) + "end";
        var use = Use(reason: $"Read more at {link} when you like.");
        var text = Text(CarePlanPdf.Render(View(use), Produced));
        Assert.Contains(link, Regex.Replace(text, @"\s+", ""));
    }

    [Fact]
    public void Accented_greek_and_cyrillic_letters_come_through_and_a_script_the_font_lacks_is_refused_not_dropped()
    {
        var use = Use(reason: "Zoë’s café – “quoted” £5 € Łódź ŵŷ Ελληνικά Русский.");
        Assert.Contains("Zoë’s café – “quoted” £5 € Łódź ŵŷ Ελληνικά Русский.", Flat(Text(CarePlanPdf.Render(View(use), Produced))));

        var unsupported = Use(reason: "Explained in Chinese: 中文.");
        var refused = Assert.Throws<NotSupportedException>(() => CarePlanPdf.Render(View(unsupported), Produced));
        Assert.Contains("U+4E2D", refused.Message);
    }

    [Fact]
    public void No_nhs_number_or_patient_id_appears()
    {
        var use = Use();
        var text = Text(CarePlanPdf.Render(View(use), Produced));
        // The record's own ids (a use, the document) are printed; the last group of a random id can hold ten digits in a
        // row, which is no NHS number: ids are taken out before looking for one.
        var withoutIds = System.Text.RegularExpressions.Regex.Replace(text, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        Assert.DoesNotMatch(@"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)", withoutIds);
        Assert.DoesNotContain(use.PatientId.ToString(), text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_body_text_is_at_least_12_point()
    {
        var html = Poppler("pdftotext", CarePlanPdf.Render(View(Use()), Produced), "-bbox");
        var heights = WordBox().Matches(html)
            .Select(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) - double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .ToList();
        Assert.NotEmpty(heights);
        // pdftotext's word box is the font's full height at its size; at 12pt and over it is at least 12pt tall.
        Assert.All(heights, h => Assert.True(h >= 12, $"a word box {h:0.0}pt tall"));
    }

    [Fact]
    public async Task Eight_renders_at_once_give_the_same_text()
    {
        var view = View(Use());
        var expected = Text(CarePlanPdf.Render(view, Produced));
        var pdfs = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => CarePlanPdf.Render(view, Produced))));
        Assert.All(pdfs, pdf => Assert.Equal(expected, Text(pdf)));
    }

    /// <summary>
    /// The work of a render counted in characters looked at (font check, measuring, breaking), not in time: one word of
    /// 8,000 characters and one of 200,000 (which once took 30 s and minutes) cost at most three looks per character, so
    /// 25 times the text is at most about 25 times the work.
    /// </summary>
    [Fact]
    public void The_layout_is_linear_in_the_text_an_8000_and_a_200000_character_word_cost_at_most_three_looks_per_character()
    {
        var work = new Dictionary<int, long>();
        foreach (var length in new[] { 8_000, 200_000 })
        {
            var use = Use(reason: new string('m', length));
            var counted = new LayoutWork();
            var pdf = CarePlanPdf.Render(View(use), Produced, work: counted);
            var copyLength = use.PatientCopy().Length + 200;
            Assert.True(counted.Characters <= 3L * copyLength, $"{length}: {counted.Characters} looks for {copyLength} characters");
            work[length] = counted.Characters;
            // Every character is there, broken over lines and pages (the footers, which repeat on each page, taken out).
            if (length == 8_000)
                Assert.Contains(new string('m', length), Regex.Replace(string.Join('\n', Text(pdf).Split('\n')
                    .Where(l => !l.StartsWith("Care-plan record:", StringComparison.Ordinal) && !l.StartsWith("Produced on", StringComparison.Ordinal))), @"\s+", ""));
        }
        Assert.InRange((double)work[200_000] / work[8_000], 20, 26);
    }

    [Fact]
    public void A_render_stops_soon_after_its_caller_cancels()
    {
        using var cancel = new CancellationTokenSource();
        long cancelledAt = 0;
        var work = new LayoutWork
        {
            AtCancellationPoint = done =>
            {
                if (done < 20_000 || cancel.IsCancellationRequested) return;
                cancelledAt = done;
                cancel.Cancel();
            },
        };
        Assert.Throws<OperationCanceledException>(() => CarePlanPdf.Render(View(Use(reason: new string('m', 200_000))), Produced, work: work, ct: cancel.Token));
        // It stopped at the first look at the token after the cancel, not after the 400,000 looks the whole render takes.
        Assert.Equal(cancelledAt, work.Characters);
        Assert.Throws<OperationCanceledException>(() => CarePlanPdf.Render(View(Use()), Produced, ct: cancel.Token));
    }

    [Fact]
    public void Large_print_is_at_least_16_point_and_easy_read_puts_each_sentence_on_its_own_line()
    {
        var use = Use(reason: "We want you to be safe at night. The sensor tells staff if you get up. Is that all right? You can say no.");
        var large = CarePlanPdf.Render(View(use), Produced, PatientCopyLayout.LargePrint);
        var heights = WordBox().Matches(Poppler("pdftotext", large, "-bbox"))
            .Select(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) - double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        // RNIB: large print is 16 pt or more; plain is 13 pt.
        Assert.All(heights, h => Assert.True(h >= 16, $"a word box {h:0.0}pt tall in large print"));
        Assert.Contains("large print", Poppler("pdfinfo", large));
        Assert.Contains(Flat(use.CarePlan.HowToWithdraw), Flat(Text(large)));

        var easy = Text(CarePlanPdf.Render(View(use), Produced, PatientCopyLayout.EasyRead));
        var lines = easy.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains("We want you to be safe at night.", lines);
        Assert.Contains("The sensor tells staff if you get up.", lines);
        Assert.Contains("Is that all right?", lines);
        Assert.Contains("You can say no.", lines);
        // The plain layout runs the same sentences together in one paragraph.
        Assert.DoesNotContain("Is that all right?", Text(CarePlanPdf.Render(View(use), Produced)).Split('\n').Select(l => l.Trim()));
    }

    [GeneratedRegex(@"<word xMin=""[0-9.]+"" yMin=""([0-9.]+)"" xMax=""[0-9.]+"" yMax=""([0-9.]+)""")]
    private static partial Regex WordBox();

    private static int PageCount(byte[] pdf) =>
        int.Parse(Regex.Match(Poppler("pdfinfo", pdf), @"Pages:\s+(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);

    internal static string Info(byte[] pdf) => Poppler("pdfinfo", pdf);

    internal static string Flat(string s) => Regex.Replace(s, @"\s+", " ").Trim();

    internal static string Text(byte[] pdf, int? page = null) =>
        page is { } p ? Poppler("pdftotext", pdf, "-enc", "UTF-8", "-f", p.ToString(CultureInfo.InvariantCulture), "-l", p.ToString(CultureInfo.InvariantCulture))
                      : Poppler("pdftotext", pdf, "-enc", "UTF-8");

    /// <summary>Runs a poppler-utils tool on the PDF; its output, or a failure that says how to install it.</summary>
    private static string Poppler(string tool, byte[] pdf, params string[] options)
    {
        var file = Path.Combine(Path.GetTempPath(), $"care-plan-{Guid.NewGuid():N}.pdf");
        File.WriteAllBytes(file, pdf);
        try
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var option in options) start.ArgumentList.Add(option);
            start.ArgumentList.Add(file);
            if (tool == "pdftotext") start.ArgumentList.Add("-");
            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException(
                    $"'{tool}' is not installed: these tests read the PDF with Debian's poppler-utils (apt-get install -y poppler-utils; tools/test.sh installs it).", e);
            }
            using (process)
            {
                var stderr = process.StandardError.ReadToEndAsync();
                var stdout = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, $"{tool} failed ({process.ExitCode}): {stderr.Result}");
                return stdout;
            }
        }
        finally
        {
            File.Delete(file);
        }
    }
}
