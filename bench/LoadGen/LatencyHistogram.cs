namespace MultiRaft.LoadGen;

/// <summary>
/// A log-linear histogram of non-negative values (the load generator records nanoseconds), in
/// the manner of HdrHistogram: values below 2048 are counted exactly; above that each power of
/// two is cut into 1024 equal buckets, so a reported value is within 0.1% of a recorded one.
/// Recording is lock-free and safe from many threads; memory is fixed (256 KiB).
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Values at or above this are counted as this minus one (about 36 minutes in nanoseconds).</summary>
    public const long Limit = 1L << 41;

    private const int SubBits = 11;
    private const int SubCount = 1 << SubBits;       // 2048: the exact range and the first bucket
    private const int HalfCount = SubCount / 2;      // 1024 buckets per power of two above it
    private const int MaxShift = 41 - SubBits;       // values < 2^41 need shifts up to 30

    private readonly long[] _counts = new long[SubCount + (MaxShift * HalfCount)];
    private long _count;
    private long _sum;
    private long _min = long.MaxValue;
    private long _max = long.MinValue;

    /// <summary>How many values were recorded.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>The smallest value recorded (exact), or 0 when empty.</summary>
    public long Min => Count == 0 ? 0 : Volatile.Read(ref _min);

    /// <summary>The largest value recorded (exact, after clamping to <see cref="Limit"/>), or 0 when empty.</summary>
    public long Max => Count == 0 ? 0 : Volatile.Read(ref _max);

    /// <summary>The exact mean of the recorded values, or 0 when empty.</summary>
    public double Mean => Count == 0 ? 0 : (double)Volatile.Read(ref _sum) / Count;

    /// <summary>Records one value; negative values count as 0, values at or above <see cref="Limit"/> as <c>Limit - 1</c>.</summary>
    public void Record(long value)
    {
        value = Math.Clamp(value, 0, Limit - 1);
        Interlocked.Increment(ref _counts[IndexOf(value)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, value);
        UpdateMin(value);
        UpdateMax(value);
    }

    /// <summary>Adds every value recorded in <paramref name="other"/> to this histogram.</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0)
        {
            return;
        }

        for (var i = 0; i < _counts.Length; i++)
        {
            var c = Volatile.Read(ref other._counts[i]);
            if (c != 0)
            {
                Interlocked.Add(ref _counts[i], c);
            }
        }

        Interlocked.Add(ref _count, other.Count);
        Interlocked.Add(ref _sum, Volatile.Read(ref other._sum));
        UpdateMin(other.Min);
        UpdateMax(other.Max);
    }

    /// <summary>
    /// The value at <paramref name="percentile"/> (0..100): the smallest recorded value that at
    /// least <c>ceil(percentile/100 × Count)</c> values (at least one) are at or below, reported
    /// as the highest value of its bucket but never above <see cref="Max"/>. Exact below 2048.
    /// Returns 0 when empty.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        if (double.IsNaN(percentile) || percentile < 0 || percentile > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "A percentile is between 0 and 100.");
        }

        var total = Count;
        if (total == 0)
        {
            return 0;
        }

        // decimal keeps 99.9% of 1000 at exactly 999, where a double would round up to 1000.
        var rank = (long)Math.Ceiling((decimal)percentile * total / 100m);
        rank = Math.Clamp(rank, 1, total);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return Math.Clamp(HighestInBucket(i), Min, Max);
            }
        }

        return Max;
    }

    /// <summary>The bucket a value falls in.</summary>
    internal static int IndexOf(long value)
    {
        if (value < SubCount)
        {
            return (int)value;
        }

        // shift makes value >> shift land in [1024, 2048): the bucket's position within its power of two.
        var shift = 63 - (int)long.LeadingZeroCount(value) - (SubBits - 1);
        return SubCount + ((shift - 1) * HalfCount) + (int)((value >> shift) - HalfCount);
    }

    /// <summary>The smallest value that falls in bucket <paramref name="index"/>.</summary>
    internal static long LowestInBucket(int index)
    {
        if (index < SubCount)
        {
            return index;
        }

        var j = index - SubCount;
        var shift = (j / HalfCount) + 1;
        return (long)((j % HalfCount) + HalfCount) << shift;
    }

    /// <summary>The largest value that falls in bucket <paramref name="index"/>.</summary>
    internal static long HighestInBucket(int index)
    {
        if (index < SubCount)
        {
            return index;
        }

        var shift = ((index - SubCount) / HalfCount) + 1;
        return LowestInBucket(index) + (1L << shift) - 1;
    }

    private void UpdateMin(long value)
    {
        var current = Volatile.Read(ref _min);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref _min, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private void UpdateMax(long value)
    {
        var current = Volatile.Read(ref _max);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref _max, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
