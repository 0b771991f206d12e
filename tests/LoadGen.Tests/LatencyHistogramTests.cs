namespace MultiRaft.LoadGen.Tests;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Empty_histogram_reports_zeros()
    {
        var h = new LatencyHistogram();
        Assert.Equal(0, h.Count);
        Assert.Equal(0, h.ValueAtPercentile(50));
        Assert.Equal(0, h.Min);
        Assert.Equal(0, h.Max);
        Assert.Equal(0, h.Mean);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(50, 50)]
    [InlineData(50.5, 51)]
    [InlineData(99, 99)]
    [InlineData(99.9, 100)]
    [InlineData(100, 100)]
    public void One_to_hundred_gives_nearest_rank(double percentile, long expected)
    {
        var h = new LatencyHistogram();
        for (var v = 1; v <= 100; v++)
        {
            h.Record(v);
        }

        Assert.Equal(expected, h.ValueAtPercentile(percentile));
    }

    [Theory]
    [InlineData(50, 500)]
    [InlineData(99, 990)]
    [InlineData(99.9, 999)]
    [InlineData(100, 1000)]
    public void One_to_thousand_gives_exact_ranks_without_rounding_up(double percentile, long expected)
    {
        var h = new LatencyHistogram();
        for (var v = 1000; v >= 1; v--)
        {
            h.Record(v);
        }

        Assert.Equal(expected, h.ValueAtPercentile(percentile));
    }

    [Fact]
    public void Skewed_input_reports_the_tail()
    {
        // 990 fast requests at 200 and 10 slow at 1500: p99 is still fast, p99.9 is slow.
        var h = new LatencyHistogram();
        for (var i = 0; i < 990; i++)
        {
            h.Record(200);
        }

        for (var i = 0; i < 10; i++)
        {
            h.Record(1500);
        }

        Assert.Equal(200, h.ValueAtPercentile(50));
        Assert.Equal(200, h.ValueAtPercentile(99));
        Assert.Equal(1500, h.ValueAtPercentile(99.1));
        Assert.Equal(1500, h.ValueAtPercentile(99.9));
        Assert.Equal(213, h.Mean);
    }

    [Theory]
    [InlineData(0L, 0)]
    [InlineData(2047L, 2047)]
    [InlineData(2048L, 2048)]
    [InlineData(2049L, 2048)]
    [InlineData(2050L, 2049)]
    [InlineData(4095L, 3071)]
    [InlineData(4096L, 3072)]
    [InlineData(4099L, 3072)]
    [InlineData(4100L, 3073)]
    public void Buckets_are_exact_below_2048_then_1024_per_power_of_two(long value, int index)
    {
        Assert.Equal(index, LatencyHistogram.IndexOf(value));
        Assert.InRange(value, LatencyHistogram.LowestInBucket(index), LatencyHistogram.HighestInBucket(index));
    }

    [Fact]
    public void Every_bucket_starts_right_after_the_previous_one()
    {
        var last = LatencyHistogram.IndexOf(LatencyHistogram.Limit - 1);
        Assert.Equal(LatencyHistogram.Limit - 1, LatencyHistogram.HighestInBucket(last));
        for (var i = 1; i <= last; i++)
        {
            Assert.Equal(LatencyHistogram.HighestInBucket(i - 1) + 1, LatencyHistogram.LowestInBucket(i));
            Assert.Equal(i, LatencyHistogram.IndexOf(LatencyHistogram.LowestInBucket(i)));
            Assert.Equal(i, LatencyHistogram.IndexOf(LatencyHistogram.HighestInBucket(i)));
        }
    }

    [Fact]
    public void Large_values_report_the_top_of_their_bucket_within_a_thousandth()
    {
        // 1,000,000 lies in [999,936, 1,000,447]: between 2^19 and 2^20 a bucket is 512 wide.
        var h = new LatencyHistogram();
        h.Record(1_000_000);
        h.Record(1_000_001);
        h.Record(5_000_000);
        Assert.Equal(1_000_447, h.ValueAtPercentile(50));
        Assert.Equal(5_000_000, h.ValueAtPercentile(100));
        Assert.Equal(1_000_000, h.Min);
        Assert.Equal(5_000_000, h.Max);
    }

    [Fact]
    public void Reported_value_never_exceeds_the_recorded_maximum()
    {
        var h = new LatencyHistogram();
        h.Record(1_000_000);
        Assert.Equal(1_000_000, h.ValueAtPercentile(50));
        Assert.Equal(1_000_000, h.ValueAtPercentile(99.9));
    }

    [Fact]
    public void Out_of_range_values_are_clamped()
    {
        var h = new LatencyHistogram();
        h.Record(-5);
        h.Record(long.MaxValue);
        Assert.Equal(0, h.Min);
        Assert.Equal(LatencyHistogram.Limit - 1, h.Max);
        Assert.Equal(0, h.ValueAtPercentile(50));
        Assert.Equal(LatencyHistogram.Limit - 1, h.ValueAtPercentile(100));
    }

    [Fact]
    public void Adding_histograms_equals_recording_into_one()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        var both = new LatencyHistogram();
        for (var v = 1; v <= 60; v++)
        {
            a.Record(v * 34);
            both.Record(v * 34);
        }

        for (var v = 1; v <= 40; v++)
        {
            b.Record(v * 53_000);
            both.Record(v * 53_000);
        }

        a.Add(b);
        Assert.Equal(100, a.Count);
        Assert.Equal(both.Min, a.Min);
        Assert.Equal(both.Max, a.Max);
        Assert.Equal(both.Mean, a.Mean);
        foreach (var p in new[] { 0.0, 10, 50, 60, 61, 90, 99, 99.9, 100 })
        {
            Assert.Equal(both.ValueAtPercentile(p), a.ValueAtPercentile(p));
        }

        Assert.Equal(60 * 34, a.ValueAtPercentile(60));
        Assert.Equal(53_023, a.ValueAtPercentile(61)); // 53,000 lies in [52,992, 53,023]: width 32
    }

    [Fact]
    public void Concurrent_recording_loses_nothing()
    {
        var h = new LatencyHistogram();
        Parallel.For(0, 8, t =>
        {
            for (var v = 1; v <= 1000; v++)
            {
                h.Record(v);
            }
        });

        Assert.Equal(8000, h.Count);
        Assert.Equal(500, h.ValueAtPercentile(50));
        Assert.Equal(1, h.Min);
        Assert.Equal(1000, h.Max);
        Assert.Equal(500.5, h.Mean);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100.1)]
    [InlineData(double.NaN)]
    public void Percentile_outside_zero_to_hundred_is_refused(double percentile)
    {
        var h = new LatencyHistogram();
        Assert.Throws<ArgumentOutOfRangeException>(() => h.ValueAtPercentile(percentile));
    }
}
