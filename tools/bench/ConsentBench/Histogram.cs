using System.Globalization;
using System.Numerics;

namespace Platform.Tools.ConsentBench;

/// <summary>
/// A log-linear latency histogram in the manner of HdrHistogram, written here: values (nanoseconds) fall into buckets
/// of 128 sub-buckets per power of two, so any recorded value is reported within 1% of itself. Not thread-safe:
/// record from one thread, or give each thread its own and <see cref="Add"/> them.
/// </summary>
public sealed class Histogram
{
    private const int SubBucketBits = 7;
    private const int SubBuckets = 1 << SubBucketBits;
    private readonly long[] _counts = new long[(64 - SubBucketBits + 1) * SubBuckets];

    public long Count { get; private set; }
    public long Max { get; private set; }
    public long Min { get; private set; } = long.MaxValue;
    private double _sum;

    public double Mean => Count == 0 ? 0 : _sum / Count;

    public void Record(long value)
    {
        if (value < 0) value = 0;
        _counts[Index(value)]++;
        Count++;
        _sum += value;
        if (value > Max) Max = value;
        if (value < Min) Min = value;
    }

    public void Add(Histogram other)
    {
        for (var i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        Count += other.Count;
        _sum += other._sum;
        Max = Math.Max(Max, other.Max);
        Min = Math.Min(Min, other.Min);
    }

    /// <summary>The value at quantile <paramref name="q"/> (0..1): the upper edge of the bucket holding it, capped at the maximum seen.</summary>
    public long Percentile(double q)
    {
        if (Count == 0) return 0;
        var rank = (long)Math.Ceiling(q * Count);
        if (rank < 1) rank = 1;
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min(UpperEdge(i), Max);
        }
        return Max;
    }

    // Values below 128 get their own bucket; above, the top 7 bits after the leading one pick the sub-bucket.
    private static int Index(long value)
    {
        if (value < SubBuckets) return (int)value;
        var magnitude = 63 - BitOperations.LeadingZeroCount((ulong)value); // >= 7
        var shift = magnitude - SubBucketBits;
        var sub = (int)(value >> shift) - SubBuckets; // 0..127
        return ((shift + 1) * SubBuckets) + sub;
    }

    private static long UpperEdge(int index)
    {
        if (index < SubBuckets) return index;
        var shift = (index / SubBuckets) - 1;
        var sub = index % SubBuckets;
        return ((long)(SubBuckets + sub + 1) << shift) - 1;
    }

    /// <summary>Serialises the non-empty buckets (for handing a histogram from the load generator to the bench).</summary>
    public string Serialize()
    {
        var parts = new List<string> { Count.ToString(CultureInfo.InvariantCulture), Max.ToString(CultureInfo.InvariantCulture), Min.ToString(CultureInfo.InvariantCulture), _sum.ToString("R", CultureInfo.InvariantCulture) };
        for (var i = 0; i < _counts.Length; i++)
            if (_counts[i] != 0) parts.Add($"{i}:{_counts[i]}");
        return string.Join(',', parts);
    }

    public static Histogram Deserialize(string text)
    {
        var h = new Histogram();
        var parts = text.Split(',');
        h.Count = long.Parse(parts[0], CultureInfo.InvariantCulture);
        h.Max = long.Parse(parts[1], CultureInfo.InvariantCulture);
        h.Min = long.Parse(parts[2], CultureInfo.InvariantCulture);
        h._sum = double.Parse(parts[3], CultureInfo.InvariantCulture);
        foreach (var p in parts.Skip(4))
        {
            var kv = p.Split(':');
            h._counts[int.Parse(kv[0], CultureInfo.InvariantCulture)] = long.Parse(kv[1], CultureInfo.InvariantCulture);
        }
        return h;
    }
}
