using System.Globalization;
using System.Text;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;
using PdfSharp.UniversalAccessibility;

namespace Platform.Consent.Api.Application;

/// <summary>
/// The patient copy of a care-plan record (P2) as an accessible, plain-language A4 PDF: a title naming the technology,
/// the eight care-plan items as headings in plain words with their text wrapped across as many pages as it takes,
/// and a footer on every page with the care-plan record id, the date produced and "page n of m". It carries no name
/// and no NHS number: only what <see cref="CarePlanView.PatientCopy"/> says, plus the technology name and record id.
/// </summary>
/// <remarks>
/// PDFsharp 6.2.4 (MIT). The fonts are DejaVu Sans and DejaVu Sans Bold, carried inside this assembly
/// (docs/decisions/0013-pdfsharp-mit.md), so nothing has to be installed on the machine and every PDF embeds the same faces.
/// </remarks>
public static class CarePlanPdf
{
    // A4 in points; 2 cm side margins.
    private const double PageWidth = 595.28, PageHeight = 841.89;
    private const double Margin = 57, TopMargin = 57, FooterHeight = 64, BottomMargin = 40;
    private const double TextWidth = PageWidth - 2 * Margin;
    private const double BodyBottom = PageHeight - BottomMargin - FooterHeight;

    private const string Family = CarePlanFontResolver.Family;
    private static readonly XPdfFontOptions Unicode = new(PdfFontEncoding.Unicode);
    // Set in the static constructor, after the font resolver: making an XFont resolves its face at once.
    private static readonly Style TitleStyle, HeadingStyle, BodyStyle, FooterStyle;

    /// <summary>The section headings of <see cref="Domain.CarePlanRecord.PatientCopy"/>, in its order.</summary>
    private static readonly string[] CopyHeadings =
    [
        "What this is for",
        "When and how it will be used",
        "What we told you",
        "How the decision was made",
        "What happens to your information",
        "When we will look at this again",
        "How to say no or change your mind",
    ];

    /// <summary>The first care-plan item, which the text copy carries in its first line.</summary>
    public const string TechnologyHeading = "What we are using";

    // The runtime runs a static constructor once, before any use of the class, however many threads render at once.
    static CarePlanPdf()
    {
        CarePlanFontResolver.Install();
        TitleStyle = new(24, Bold: true, LineHeight: 30, SpaceBefore: 0, SpaceAfter: 10);
        HeadingStyle = new(17, Bold: true, LineHeight: 23, SpaceBefore: 14, SpaceAfter: 4);
        BodyStyle = new(13, Bold: false, LineHeight: 19, SpaceBefore: 0, SpaceAfter: 6);
        FooterStyle = new(12, Bold: false, LineHeight: 16, SpaceBefore: 0, SpaceAfter: 0);
    }

    /// <summary>Renders <paramref name="view"/>'s patient copy, dated today (UTC).</summary>
    public static byte[] Render(CarePlanView view) => Render(view, DateTimeOffset.UtcNow);

    /// <summary>Renders <paramref name="view"/>'s patient copy with <paramref name="producedAt"/> as the date produced.</summary>
    public static byte[] Render(CarePlanView view, DateTimeOffset producedAt)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(view.Use);
        var technology = OneLine(view.Use.CarePlan.TechnologyName);
        var title = $"Your care plan: {technology}";
        var blocks = Blocks(title, technology, view.PatientCopy ?? "");
        RefuseWhatTheFontCannotShow(blocks);
        var footer = new[]
        {
            $"Care-plan record: {view.Use.CarePlan.Id}",
            $"Produced on {producedAt.UtcDateTime.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}",
        };

        using var document = new PdfDocument();
        document.Info.Title = title;
        document.Info.Subject = $"Your copy of your care plan for using {technology}, in plain language.";
        document.Info.Creator = "Consent service";
        document.Info.CreationDate = producedAt.UtcDateTime;
        document.Info.ModificationDate = producedAt.UtcDateTime;
        document.Language = "en-GB";
        document.ViewerPreferences.DisplayDocTitle = true;
        var ua = UAManager.ForDocument(document);
        ua.SetDocumentLanguage("en-GB");

        var pages = Layout(blocks);
        var structure = ua.StructureBuilder;
        structure.BeginElement(PdfGroupingElementTag.Document);
        for (var p = 0; p < pages.Count; p++)
        {
            var page = document.AddPage();
            page.Width = XUnit.FromPoint(PageWidth);
            page.Height = XUnit.FromPoint(PageHeight);
            using var gfx = XGraphics.FromPdfPage(page);
            foreach (var run in pages[p])
            {
                structure.BeginElement(run.Tag);
                var font = run.Style.Font;
                foreach (var line in run.Lines)
                    gfx.DrawString(line.Text, font, XBrushes.Black, new XPoint(Margin, line.Baseline));
                structure.End();
            }

            // The footer repeats on every page: an artifact, so screen readers do not read it as content each time.
            structure.BeginArtifact();
            var footerFont = FooterStyle.Font;
            var y = PageHeight - BottomMargin - FooterHeight + 24;
            gfx.DrawLine(new XPen(XColors.Black, 0.75), Margin, y - 18, PageWidth - Margin, y - 18);
            gfx.DrawString(footer[0], footerFont, XBrushes.Black, new XPoint(Margin, y));
            gfx.DrawString($"{footer[1]}. Page {p + 1} of {pages.Count}", footerFont, XBrushes.Black, new XPoint(Margin, y + FooterStyle.LineHeight));
            structure.End();
        }
        structure.End();

        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>
    /// PDFsharp leaves out, without a word, any character its font has no glyph for (Chinese or Arabic script, emoji
    /// here). A patient copy with words silently missing is worse than none: refuse, and say which characters.
    /// </summary>
    private static void RefuseWhatTheFontCannotShow(List<Block> blocks)
    {
        var missing = new SortedSet<int>();
        foreach (var block in blocks)
            foreach (var rune in block.Text.EnumerateRunes())
                if (!Rune.IsWhiteSpace(rune) && !Rune.IsControl(rune) && GlyphHelper.GlyphIndexFromCodePoint(rune.Value, block.Style.Font) == 0)
                    missing.Add(rune.Value);
        if (missing.Count == 0) return;
        var listed = string.Join(", ", missing.Take(10).Select(c => $"'{char.ConvertFromUtf32(c)}' (U+{c:X4})"));
        throw new NotSupportedException(
            $"The care plan has characters the PDF's font cannot show, which would be left out of the patient's copy: {listed}. Give the patient the text copy, or see docs/decisions/0013-pdfsharp-mit.md.");
    }

    private sealed record Style(double Size, bool Bold, double LineHeight, double SpaceBefore, double SpaceAfter)
    {
        // XFont is immutable once made; one per style, shared by every render.
        public XFont Font { get; } = new(Family, Size, Bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, Unicode);
    }

    private sealed record Block(PdfBlockLevelElementTag Tag, Style Style, string Text);

    private sealed record Line(string Text, double Baseline);

    private sealed record Run(PdfBlockLevelElementTag Tag, Style Style, List<Line> Lines);

    /// <summary>
    /// The title, then each care-plan item as a heading and its paragraphs. The items' text is the domain's copy, split
    /// at its known headings; text it cannot place under a heading stays with the one before, so nothing is dropped.
    /// </summary>
    private static List<Block> Blocks(string title, string technology, string copy)
    {
        var blocks = new List<Block>
        {
            new(PdfBlockLevelElementTag.Heading1, TitleStyle, title),
            new(PdfBlockLevelElementTag.Heading2, HeadingStyle, TechnologyHeading),
            new(PdfBlockLevelElementTag.Paragraph, BodyStyle, $"We are using {technology} as part of your care."),
        };

        var text = copy.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        // The text copy opens with its own title line ("Your care plan: using ..."): the PDF's title replaces it.
        if (text.StartsWith("Your care plan:", StringComparison.Ordinal))
        {
            var end = text.IndexOf('\n', StringComparison.Ordinal);
            text = end < 0 ? "" : text[(end + 1)..];
        }

        var cursor = 0;
        string? heading = null;
        foreach (var next in CopyHeadings)
        {
            var at = FindHeading(text, next, cursor);
            if (at < 0) continue;
            AddSection(blocks, heading, text[cursor..at]);
            heading = next;
            cursor = at + next.Length;
        }
        AddSection(blocks, heading, text[cursor..]);
        return blocks;
    }

    // A heading is a whole line of its own.
    private static int FindHeading(string text, string heading, int from)
    {
        for (var at = text.IndexOf(heading, from, StringComparison.Ordinal); at >= 0; at = text.IndexOf(heading, at + 1, StringComparison.Ordinal))
        {
            var startsLine = at == 0 || text[at - 1] == '\n';
            var end = at + heading.Length;
            var endsLine = end == text.Length || text[end] == '\n';
            if (startsLine && endsLine) return at;
        }
        return -1;
    }

    private static void AddSection(List<Block> blocks, string? heading, string body)
    {
        if (heading is not null) blocks.Add(new(PdfBlockLevelElementTag.Heading2, HeadingStyle, heading));
        foreach (var paragraph in body.Split('\n'))
        {
            var trimmed = paragraph.Trim();
            if (trimmed.Length > 0) blocks.Add(new(PdfBlockLevelElementTag.Paragraph, BodyStyle, trimmed));
        }
    }

    /// <summary>Wraps every block to the text width and places the lines on pages; a heading never ends a page.</summary>
    private static List<List<Run>> Layout(List<Block> blocks)
    {
        var measure = XGraphics.CreateMeasureContext(new XSize(PageWidth, PageHeight), XGraphicsUnit.Point, XPageDirection.Downwards);
        var wrapped = blocks.Select(b => (Block: b, Lines: Wrap(measure, b.Text, b.Style.Font))).ToList();

        var pages = new List<List<Run>> { new() };
        var y = TopMargin;
        for (var i = 0; i < wrapped.Count; i++)
        {
            var (block, lines) = wrapped[i];
            var style = block.Style;
            var before = y > TopMargin ? style.SpaceBefore : 0;
            // Keep a heading with the first two lines of what follows it.
            var needed = before + style.LineHeight * (block.Tag == PdfBlockLevelElementTag.Heading2 ? lines.Count : 1);
            if (block.Tag == PdfBlockLevelElementTag.Heading2 && i + 1 < wrapped.Count)
                needed += wrapped[i + 1].Block.Style.LineHeight * Math.Min(2, wrapped[i + 1].Lines.Count);
            if (y + needed > BodyBottom && y > TopMargin) NewPage();
            else y += before;

            var run = new Run(block.Tag, style, []);
            pages[^1].Add(run);
            foreach (var text in lines)
            {
                if (y + style.LineHeight > BodyBottom && run.Lines.Count > 0)
                {
                    // The paragraph goes on over the page: the rest is a new run of the same kind.
                    NewPage();
                    run = new Run(block.Tag, style, []);
                    pages[^1].Add(run);
                }
                y += style.LineHeight;
                run.Lines.Add(new Line(text, y - (style.LineHeight - style.Size) / 2 - style.Size * 0.2));
            }
            y += style.SpaceAfter;
        }
        return pages;

        void NewPage()
        {
            pages.Add([]);
            y = TopMargin;
        }
    }

    /// <summary>Greedy word wrap; a word wider than a line (a long link, say) is broken, never clipped.</summary>
    private static List<string> Wrap(XGraphics measure, string text, XFont font)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = line.Length == 0 ? word : $"{line} {word}";
            if (Width(measure, candidate, font) <= TextWidth)
            {
                line.Clear().Append(candidate);
                continue;
            }
            if (line.Length > 0)
            {
                lines.Add(line.ToString());
                line.Clear();
            }
            var rest = word;
            while (Width(measure, rest, font) > TextWidth)
            {
                var take = rest.Length - 1;
                while (take > 1 && Width(measure, rest[..take], font) > TextWidth) take--;
                lines.Add(rest[..take]);
                rest = rest[take..];
            }
            line.Append(rest);
        }
        if (line.Length > 0) lines.Add(line.ToString());
        return lines;
    }

    private static double Width(XGraphics measure, string text, XFont font) => measure.MeasureString(text, font).Width;

    private static string OneLine(string? s) => string.Join(' ', (s ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>
    /// Serves DejaVu Sans and DejaVu Sans Bold from this assembly's resources (Fonts/, with their licence) under a
    /// private family name, so rendering needs no font installed on the machine. Any other family is left to PDFsharp.
    /// </summary>
    private sealed class CarePlanFontResolver : IFontResolver
    {
        public const string Family = "CarePlan Sans";
        private const string Regular = "CarePlanSans-Regular", BoldFace = "CarePlanSans-Bold";
        private static readonly CarePlanFontResolver Instance = new();

        /// <summary>Called once, from <see cref="CarePlanPdf"/>'s static constructor.</summary>
        public static void Install()
        {
            var current = GlobalFontSettings.FontResolver;
            if (current is null) GlobalFontSettings.FontResolver = Instance;
            else if (current.ResolveTypeface(Family, false, false) is null)
                throw new InvalidOperationException(
                    $"Another PDFsharp font resolver ({current.GetType().FullName}) is installed and does not resolve the '{Family}' family; see docs/decisions/0013-pdfsharp-mit.md.");
        }

        public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic)
        {
            if (!string.Equals(familyName, Family, StringComparison.OrdinalIgnoreCase)) return null;
            // Neither face is italic: PDFsharp slants the regular one if italic is ever asked for.
            return new FontResolverInfo(bold ? BoldFace : Regular, mustSimulateBold: false, mustSimulateItalic: italic);
        }

        private static readonly Lazy<byte[]> s_regular = new(() => Resource("DejaVuSans.ttf"));
        private static readonly Lazy<byte[]> s_bold = new(() => Resource("DejaVuSans-Bold.ttf"));

        public byte[]? GetFont(string faceName) => faceName switch
        {
            Regular => s_regular.Value,
            BoldFace => s_bold.Value,
            _ => null,
        };

        private static byte[] Resource(string file)
        {
            var name = $"Platform.Consent.Api.Fonts.{file}";
            using var stream = typeof(CarePlanFontResolver).Assembly.GetManifestResourceStream(name)
                ?? throw new InvalidOperationException($"The font resource {name} is missing from the consent service's assembly.");
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            return bytes.ToArray();
        }
    }
}
