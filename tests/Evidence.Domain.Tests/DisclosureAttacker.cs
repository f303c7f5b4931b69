using System.Numerics;
using Platform.Evidence.Domain;

namespace Platform.Evidence.Domain.Tests;

/// <summary>
/// An attacker who reads a published report and solves, exactly, every sum it implies: each row adds up to its
/// total, each settings column adds up to the all-settings row, the setting totals add up to the grand total, and
/// the same setting total appears in every characteristic's table. It reports every hidden count it can pin down.
/// Written independently of the suppression code: it knows nothing of cycles, only linear algebra.
/// </summary>
internal static class DisclosureAttacker
{
    public abstract record Hidden;
    public sealed record HiddenCell(Characteristic Characteristic, string? Setting, int Column) : Hidden;
    public sealed record HiddenTotal(string? Setting) : Hidden;

    public static IReadOnlyDictionary<Hidden, BigInteger> Solve(OutcomeReport report)
    {
        var unknowns = new Dictionary<Hidden, int>();
        int Var(Hidden h) => unknowns.TryGetValue(h, out var i) ? i : unknowns[h] = unknowns.Count;
        var equations = new List<(Dictionary<int, BigInteger> Terms, BigInteger Constant)>();

        // An equation Σ coefficient × term = 0 over published or hidden terms.
        void Equation(IEnumerable<(int Coefficient, Hidden Term, int? Shown)> terms)
        {
            var row = new Dictionary<int, BigInteger>();
            BigInteger constant = 0;
            foreach (var (coefficient, term, shown) in terms)
            {
                if (shown is { } value) { constant -= coefficient * value; continue; }
                var v = Var(term);
                row[v] = row.GetValueOrDefault(v) + coefficient;
            }
            equations.Add((row, constant));
        }

        var grand = report.Breakdowns[0].Rows.Single(r => r.SettingCode is null).Total.Patients;
        var settingTotals = report.Breakdowns[0].Rows.Where(r => r.SettingCode is not null).Select(r => (r.SettingCode, r.Total.Patients)).ToList();
        Equation(settingTotals.Select(t => (1, (Hidden)new HiddenTotal(t.SettingCode), t.Patients)).Append((-1, new HiddenTotal(null), grand)));

        foreach (var breakdown in report.Breakdowns)
        {
            foreach (var row in breakdown.Rows)
                Equation(row.Cells.Select((cell, c) => (1, (Hidden)new HiddenCell(breakdown.Characteristic, row.SettingCode, c), cell.Patients))
                    .Append((-1, new HiddenTotal(row.SettingCode), row.Total.Patients)));
            for (var c = 0; c < breakdown.Categories.Count; c++)
                Equation(breakdown.Rows.Select(row => (row.SettingCode is null ? -1 : 1, (Hidden)new HiddenCell(breakdown.Characteristic, row.SettingCode, c), row.Cells[c].Patients)));
        }

        var solved = SolveExactly(equations, unknowns.Count);
        return unknowns.Where(u => solved.ContainsKey(u.Value)).ToDictionary(u => u.Key, u => solved[u.Value]);
    }

    /// <summary>Reduced row echelon form over the rationals (sparse rows); returns the unknowns with exactly one possible value.</summary>
    private static Dictionary<int, BigInteger> SolveExactly(List<(Dictionary<int, BigInteger> Terms, BigInteger Constant)> equations, int unknowns)
    {
        const int Constant = -1;
        var rows = equations.Select(e =>
        {
            var row = e.Terms.Where(t => !t.Value.IsZero).ToDictionary(t => t.Key, t => new Fraction(t.Value, 1));
            if (!e.Constant.IsZero) row[Constant] = new Fraction(e.Constant, 1);
            return row;
        }).ToList();
        var pivotRowOf = new Dictionary<int, Dictionary<int, Fraction>>();
        var remaining = new List<Dictionary<int, Fraction>>(rows);
        for (var c = 0; c < unknowns; c++)
        {
            var pivot = remaining.FirstOrDefault(r => r.ContainsKey(c));
            if (pivot is null) continue;
            remaining.Remove(pivot);
            var lead = pivot[c];
            foreach (var key in pivot.Keys.ToList()) pivot[key] = pivot[key] / lead;
            foreach (var other in remaining.Concat(pivotRowOf.Values))
            {
                if (!other.TryGetValue(c, out var factor)) continue;
                foreach (var (key, value) in pivot)
                {
                    var updated = other.GetValueOrDefault(key) - factor * value;
                    if (updated.IsZero) other.Remove(key); else other[key] = updated;
                }
            }
            pivotRowOf[c] = pivot;
        }
        // A pivot unknown is pinned down when its row holds no free (non-pivot) unknown.
        var solved = new Dictionary<int, BigInteger>();
        foreach (var (column, row) in pivotRowOf)
            if (row.Keys.All(k => k == column || k == Constant))
            {
                var value = row.GetValueOrDefault(Constant);
                solved[column] = value.Numerator / value.Den;
            }
        return solved;
    }

    private readonly record struct Fraction
    {
        public Fraction(BigInteger numerator, BigInteger denominator)
        {
            if (denominator.Sign < 0) (numerator, denominator) = (-numerator, -denominator);
            var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
            if (gcd > 1) (numerator, denominator) = (numerator / gcd, denominator / gcd);
            (Numerator, Denominator) = (numerator, denominator);
        }

        public BigInteger Numerator { get; }
        public BigInteger Denominator { get; }
        public bool IsZero => Numerator.IsZero;
        // default(Fraction) stands for zero.
        public BigInteger Den => Denominator.IsZero ? BigInteger.One : Denominator;

        public static Fraction operator -(Fraction a, Fraction b) => new(a.Numerator * b.Den - b.Numerator * a.Den, a.Den * b.Den);
        public static Fraction operator *(Fraction a, Fraction b) => new(a.Numerator * b.Numerator, a.Den * b.Den);
        public static Fraction operator /(Fraction a, Fraction b) => new(a.Numerator * b.Den, a.Den * b.Numerator);
    }
}
