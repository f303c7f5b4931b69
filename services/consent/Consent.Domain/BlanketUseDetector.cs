namespace Platform.Consent.Domain;

public enum BlanketSignalKind
{
    Unspecified = 0,
    /// <summary>One technology was enabled for most of a ward's patients within a short window.</summary>
    HighShareOfWard = 1,
    /// <summary>Rationales on a ward are near-identical copies of each other.</summary>
    NearIdenticalRationales = 2,
}

/// <summary>
/// A signal for a human to review (P2: never a blanket approach), with its evidence. It blocks nothing by itself:
/// individually justified uses can look alike, and only a person can tell.
/// </summary>
public sealed record BlanketUseSignal(
    BlanketSignalKind Kind,
    string WardCode,
    Guid TechnologyId,
    int UseCount,
    int PatientsOnWard,
    double Share,
    DateTime WindowStart,
    DateTime WindowEnd,
    double? MinimumSimilarity,
    IReadOnlyList<Guid> UseIds,
    string Summary);

public static class BlanketUseDetector
{
    /// <summary>
    /// Looks at one ward: <paramref name="uses"/> are that ward's uses (any state; only active or suspended ones count),
    /// <paramref name="patientsOnWard"/> the ward's current patient count.
    /// </summary>
    public static IReadOnlyList<BlanketUseSignal> Detect(
        string wardCode, int patientsOnWard, IEnumerable<TechnologyUse> uses, TrustPolicy policy, DateTime now)
    {
        var signals = new List<BlanketUseSignal>();
        var windowStart = now - policy.BlanketWindow;
        var live = uses
            .Where(u => string.Equals(u.WardCode, wardCode, StringComparison.Ordinal) && u.Status is UseStatus.Active or UseStatus.Suspended)
            .ToList();

        foreach (var byTechnology in live.GroupBy(u => u.TechnologyId).OrderBy(g => g.Key))
        {
            var recent = byTechnology
                .Where(u => (u.ActivatedAt ?? u.ProposedAt) >= windowStart && (u.ActivatedAt ?? u.ProposedAt) <= now)
                .GroupBy(u => u.PatientId)
                .Select(g => g.First())
                .ToList();
            var share = patientsOnWard > 0 ? (double)recent.Count / patientsOnWard : 0;
            if (recent.Count >= policy.BlanketMinimumUses && share > policy.BlanketShareThreshold)
            {
                signals.Add(new BlanketUseSignal(
                    BlanketSignalKind.HighShareOfWard, wardCode, byTechnology.Key, recent.Count, patientsOnWard, share,
                    windowStart, now, null, recent.Select(u => u.Id).OrderBy(id => id).ToList(),
                    $"{recent.Count} of {patientsOnWard} patients on ward {wardCode} ({share:P0}) started this technology within {policy.BlanketWindow.TotalDays:0.#} days. " +
                    "Check each decision was personalised."));
            }

            foreach (var cluster in CopiedRationales(byTechnology.ToList(), policy.RationaleSimilarityThreshold))
            {
                if (cluster.UseIds.Count < policy.RationaleCopyMinimumUses) continue;
                var copyShare = patientsOnWard > 0 ? (double)cluster.UseIds.Count / patientsOnWard : 0;
                signals.Add(new BlanketUseSignal(
                    BlanketSignalKind.NearIdenticalRationales, wardCode, byTechnology.Key, cluster.UseIds.Count, patientsOnWard, copyShare,
                    windowStart, now, cluster.MinimumSimilarity, cluster.UseIds,
                    $"{cluster.UseIds.Count} uses on ward {wardCode} give near-identical reasons (similarity at least {cluster.MinimumSimilarity:0.00}). " +
                    "Check each reason was written for the patient."));
            }
        }
        return signals;
    }

    private sealed record Cluster(IReadOnlyList<Guid> UseIds, double MinimumSimilarity);

    /// <summary>Groups uses whose normalised reasons are at least <paramref name="threshold"/> similar (single-link).</summary>
    private static IEnumerable<Cluster> CopiedRationales(List<TechnologyUse> uses, double threshold)
    {
        var n = uses.Count;
        var grams = uses.Select(u => Trigrams(Normalise(u.CarePlan.Reason))).ToArray();
        var parent = Enumerable.Range(0, n).ToArray();
        var minimum = new double[n];
        Array.Fill(minimum, 1.0);

        int Find(int i) => parent[i] == i ? i : parent[i] = Find(parent[i]);

        var linked = new bool[n];
        for (var i = 0; i < n; i++)
        for (var j = i + 1; j < n; j++)
        {
            if (grams[i].Count == 0 || grams[j].Count == 0) continue;
            var similarity = Similarity(grams[i], grams[j]);
            if (similarity < threshold) continue;
            var (a, b) = (Find(i), Find(j));
            var joined = Math.Min(similarity, Math.Min(minimum[a], minimum[b]));
            if (a != b) parent[b] = a;
            minimum[a] = joined;
            linked[i] = linked[j] = true;
        }

        return Enumerable.Range(0, n)
            .Where(i => linked[i])
            .GroupBy(Find)
            .Select(g => new Cluster(g.Select(i => uses[i].Id).OrderBy(id => id).ToList(), minimum[g.Key]));
    }

    /// <summary>Lower case, letters and digits only, single spaces: copy-and-paste with small edits still matches.</summary>
    public static string Normalise(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        var chars = new char[text.Length];
        var length = 0;
        var space = true;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                chars[length++] = char.ToLowerInvariant(c);
                space = false;
            }
            else if (!space)
            {
                chars[length++] = ' ';
                space = true;
            }
        }
        if (length > 0 && chars[length - 1] == ' ') length--;
        return new string(chars, 0, length);
    }

    /// <summary>Dice coefficient over the sets of character trigrams of two normalised texts (0..1).</summary>
    public static double Similarity(string normalisedA, string normalisedB) =>
        Similarity(Trigrams(normalisedA), Trigrams(normalisedB));

    private static double Similarity(HashSet<string> a, HashSet<string> b)
    {
        if (a.Count == 0 && b.Count == 0) return 1;
        if (a.Count == 0 || b.Count == 0) return 0;
        var common = a.Count <= b.Count ? a.Count(b.Contains) : b.Count(a.Contains);
        return 2.0 * common / (a.Count + b.Count);
    }

    private static HashSet<string> Trigrams(string text)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (text.Length == 0) return set;
        var padded = $"  {text} ";
        for (var i = 0; i + 3 <= padded.Length; i++) set.Add(padded.Substring(i, 3));
        return set;
    }
}
