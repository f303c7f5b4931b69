using System.Globalization;
using System.Text;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;
using PdfSharp.UniversalAccessibility;
using Platform.Consent.Domain;

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
    private static readonly Styles Plain, Large, Easy;

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
        // Plain language: 13 pt body (NHS and RNIB clear print: at least 12 pt).
        Plain = new(new(24, Bold: true, LineHeight: 30, SpaceBefore: 0, SpaceAfter: 10),
            new(17, Bold: true, LineHeight: 23, SpaceBefore: 14, SpaceAfter: 4),
            new(13, Bold: false, LineHeight: 19, SpaceBefore: 0, SpaceAfter: 6),
            new(12, Bold: false, LineHeight: 16, SpaceBefore: 0, SpaceAfter: 0));
        // Large print: RNIB's large print is 16-18 pt; 18 pt body, headings and title larger still, wide line spacing.
        Large = new(new(30, Bold: true, LineHeight: 38, SpaceBefore: 0, SpaceAfter: 14),
            new(24, Bold: true, LineHeight: 31, SpaceBefore: 18, SpaceAfter: 6),
            new(18, Bold: false, LineHeight: 27, SpaceBefore: 0, SpaceAfter: 10),
            // Even the footer is large print: 16 pt.
            new(16, Bold: false, LineHeight: 20, SpaceBefore: 0, SpaceAfter: 0));
        // Easy read (Mencap / Department of Health easy-read guidance): at least 14 pt (16 here), one sentence per line
        // with space between, short headings, nothing run together in long paragraphs.
        Easy = new(new(26, Bold: true, LineHeight: 33, SpaceBefore: 0, SpaceAfter: 14),
            new(20, Bold: true, LineHeight: 27, SpaceBefore: 18, SpaceAfter: 8),
            new(16, Bold: false, LineHeight: 24, SpaceBefore: 0, SpaceAfter: 12),
            new(14, Bold: false, LineHeight: 18, SpaceBefore: 0, SpaceAfter: 0));
    }

    /// <summary>Renders <paramref name="view"/>'s patient copy, dated today (UTC).</summary>
    public static byte[] Render(CarePlanView view) => Render(view, DateTimeOffset.UtcNow);

    /// <summary>
    /// Renders <paramref name="view"/>'s patient copy with <paramref name="producedAt"/> as the date produced, in
    /// <paramref name="layout"/>. The work is linear in the copy's length (every character is measured at most twice,
    /// counted in <paramref name="work"/> when given), and stops with <see cref="OperationCanceledException"/> soon
    /// after <paramref name="ct"/> is cancelled (the caller gave up).
    /// </summary>
    public static byte[] Render(CarePlanView view, DateTimeOffset producedAt, PatientCopyLayout layout = PatientCopyLayout.PlainLanguage,
        LayoutWork? work = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(view.Use);
        work ??= new LayoutWork();
        work.Cancellation = ct;
        ct.ThrowIfCancellationRequested();
        var styles = layout switch
        {
            PatientCopyLayout.LargePrint => Large,
            PatientCopyLayout.EasyRead => Easy,
            _ => Plain,
        };
        var technology = OneLine(view.Use.CarePlan.TechnologyName);
        var title = $"Your care plan: {technology}";
        var blocks = Blocks(styles, title, technology, view.PatientCopy ?? "", easyRead: layout == PatientCopyLayout.EasyRead);
        RefuseWhatTheFontCannotShow(blocks, work);
        var footer = new[]
        {
            $"Care-plan record: {view.Use.CarePlan.Id}",
            $"Produced on {producedAt.UtcDateTime.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}",
        };

        using var document = new PdfDocument();
        document.Info.Title = title;
        document.Info.Subject = $"Your copy of your care plan for using {technology}, in {layout switch
        {
            PatientCopyLayout.LargePrint => "large print",
            PatientCopyLayout.EasyRead => "easy read",
            _ => "plain language",
        }}.";
        document.Info.Creator = "Consent service";
        document.Info.CreationDate = producedAt.UtcDateTime;
        document.Info.ModificationDate = producedAt.UtcDateTime;
        document.Language = "en-GB";
        document.ViewerPreferences.DisplayDocTitle = true;
        var ua = UAManager.ForDocument(document);
        ua.SetDocumentLanguage("en-GB");

        var pages = Layout(blocks, work);
        var structure = ua.StructureBuilder;
        structure.BeginElement(PdfGroupingElementTag.Document);
        for (var p = 0; p < pages.Count; p++)
        {
            ct.ThrowIfCancellationRequested();
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
            var footerStyle = styles.Footer;
            var footerFont = footerStyle.Font;
            var y = PageHeight - BottomMargin - FooterHeight + 24;
            gfx.DrawLine(new XPen(XColors.Black, 0.75), Margin, y - 18, PageWidth - Margin, y - 18);
            gfx.DrawString(footer[0], footerFont, XBrushes.Black, new XPoint(Margin, y));
            gfx.DrawString($"{footer[1]}. Page {p + 1} of {pages.Count}", footerFont, XBrushes.Black, new XPoint(Margin, y + footerStyle.LineHeight));
            structure.End();
        }
        structure.End();

        ct.ThrowIfCancellationRequested();
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>
    /// PDFsharp leaves out, without a word, any character its font has no glyph for (Chinese or Arabic script, emoji
    /// here). A patient copy with words silently missing is worse than none: refuse, and say which characters.
    /// </summary>
    private static void RefuseWhatTheFontCannotShow(List<Block> blocks, LayoutWork work)
    {
        var missing = new SortedSet<int>();
        foreach (var block in blocks)
            foreach (var rune in block.Text.EnumerateRunes())
            {
                work.Step();
                if (!Rune.IsWhiteSpace(rune) && !Rune.IsControl(rune) && GlyphHelper.GlyphIndexFromCodePoint(rune.Value, block.Style.Font) == 0)
                    missing.Add(rune.Value);
            }
        if (missing.Count == 0) return;
        var listed = string.Join(", ", missing.Take(10).Select(c => $"'{char.ConvertFromUtf32(c)}' (U+{c:X4})"));
        throw new NotSupportedException(
            $"The care plan has characters the PDF's font cannot show, which would be left out of the patient's copy: {listed}. Give the patient the text copy, or see docs/decisions/0013-pdfsharp-mit.md.");
    }

    private sealed record Style(double Size, bool Bold, double LineHeight, double SpaceBefore, double SpaceAfter)
    {
        // XFont is immutable once made; one per style, shared by every render.
        public XFont Font { get; } = new(Family, Size, Bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, Unicode);

        // Each character's advance width, measured once per style: PDFsharp's width of a string is the sum of its
        // glyphs' advances (no kerning), so a line's width is kept as a running sum instead of re-measuring the line.
        private readonly System.Collections.Concurrent.ConcurrentDictionary<int, double> _widths = new();

        public double Width(Rune rune) => _widths.TryGetValue(rune.Value, out var w) ? w : _widths.GetOrAdd(rune.Value, v =>
        {
            var measure = XGraphics.CreateMeasureContext(new XSize(PageWidth, PageHeight), XGraphicsUnit.Point, XPageDirection.Downwards);
            return measure.MeasureString(char.ConvertFromUtf32(v), Font).Width;
        });
    }

    private sealed record Styles(Style Title, Style Heading, Style Body, Style Footer);

    private sealed record Block(PdfBlockLevelElementTag Tag, Style Style, string Text);

    private sealed record Line(string Text, double Baseline);

    private sealed record Run(PdfBlockLevelElementTag Tag, Style Style, List<Line> Lines);

    /// <summary>
    /// The title, then each care-plan item as a heading and its paragraphs. The items' text is the domain's copy, split
    /// at its known headings; text it cannot place under a heading stays with the one before, so nothing is dropped.
    /// </summary>
    private static List<Block> Blocks(Styles styles, string title, string technology, string copy, bool easyRead)
    {
        var blocks = new List<Block>
        {
            new(PdfBlockLevelElementTag.Heading1, styles.Title, title),
            new(PdfBlockLevelElementTag.Heading2, styles.Heading, TechnologyHeading),
            new(PdfBlockLevelElementTag.Paragraph, styles.Body, $"We are using {technology} as part of your care."),
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
            AddSection(blocks, styles, heading, text[cursor..at], easyRead);
            heading = next;
            cursor = at + next.Length;
        }
        AddSection(blocks, styles, heading, text[cursor..], easyRead);
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

    private static void AddSection(List<Block> blocks, Styles styles, string? heading, string body, bool easyRead)
    {
        if (heading is not null) blocks.Add(new(PdfBlockLevelElementTag.Heading2, styles.Heading, heading));
        foreach (var paragraph in body.Split('\n'))
        {
            var trimmed = paragraph.Trim();
            if (trimmed.Length == 0) continue;
            if (!easyRead) blocks.Add(new(PdfBlockLevelElementTag.Paragraph, styles.Body, trimmed));
            else foreach (var sentence in Sentences(trimmed)) blocks.Add(new(PdfBlockLevelElementTag.Paragraph, styles.Body, sentence));
        }
    }

    /// <summary>Easy read puts each sentence on a line of its own: split after ". ", "? " or "! " (in one pass).</summary>
    private static IEnumerable<string> Sentences(string paragraph)
    {
        var start = 0;
        for (var i = 0; i + 1 < paragraph.Length; i++)
        {
            if (paragraph[i] is '.' or '?' or '!' && paragraph[i + 1] == ' ')
            {
                var sentence = paragraph[start..(i + 1)].Trim();
                if (sentence.Length > 0) yield return sentence;
                start = i + 2;
            }
        }
        var last = paragraph[start..].Trim();
        if (last.Length > 0) yield return last;
    }

    /// <summary>Wraps every block to the text width and places the lines on pages; a heading never ends a page.</summary>
    private static List<List<Run>> Layout(List<Block> blocks, LayoutWork work)
    {
        var wrapped = blocks.Select(b => (Block: b, Lines: Wrap(b.Text, b.Style, work))).ToList();

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

    /// <summary>
    /// Greedy word wrap; a word wider than a line (a long link, say) is broken, never clipped. Linear in the text: each
    /// character's width is added to a running sum once when its word is measured and at most once more when a word
    /// too wide for a line is broken (until 2026-12 each candidate line and each shorter prefix of a long word was
    /// measured again: one 8,000-character word took 30 s).
    /// </summary>
    private static List<string> Wrap(string text, Style style, LayoutWork work)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        var lineWidth = 0.0;
        var space = style.Width(new Rune(' '));
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var wordWidth = 0.0;
            foreach (var rune in word.EnumerateRunes())
            {
                work.Step();
                wordWidth += style.Width(rune);
            }
            var candidate = line.Length == 0 ? wordWidth : lineWidth + space + wordWidth;
            if (candidate <= TextWidth)
            {
                if (line.Length > 0) line.Append(' ');
                line.Append(word);
                lineWidth = candidate;
                continue;
            }
            if (line.Length > 0)
            {
                lines.Add(line.ToString());
                line.Clear();
                lineWidth = 0;
            }
            if (wordWidth <= TextWidth)
            {
                line.Append(word);
                lineWidth = wordWidth;
                continue;
            }
            // Too wide for any line: break it where the next character would pass the margin (at least one per line).
            foreach (var rune in word.EnumerateRunes())
            {
                work.Step();
                var w = style.Width(rune);
                if (line.Length > 0 && lineWidth + w > TextWidth)
                {
                    lines.Add(line.ToString());
                    line.Clear();
                    lineWidth = 0;
                }
                line.Append(rune.ToString());
                lineWidth += w;
            }
        }
        if (line.Length > 0) lines.Add(line.ToString());
        return lines;
    }

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

/// <summary>
/// The work a render does, counted in characters looked at (font check, measuring, breaking), and where it looks at
/// the caller's cancellation: every <c>512</c> characters, so a caller who gives up stops a long render within that.
/// </summary>
public sealed class LayoutWork
{
    /// <summary>Characters looked at so far.</summary>
    public long Characters { get; private set; }

    /// <summary>Called at each cancellation point with <see cref="Characters"/> (tests use it to cancel part-way).</summary>
    public Action<long>? AtCancellationPoint { get; init; }

    internal CancellationToken Cancellation { get; set; }

    internal void Step()
    {
        if (++Characters % 512 != 0) return;
        AtCancellationPoint?.Invoke(Characters);
        Cancellation.ThrowIfCancellationRequested();
    }
}
