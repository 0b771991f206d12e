namespace MultiRaft.Storage.Bench;

/// <summary>Latency samples in Stopwatch ticks; percentiles in milliseconds.</summary>
internal sealed class Latencies
{
    private readonly List<long> _ticks = new(1 << 16);

    public int Count => _ticks.Count;

    public void Add(long ticks) => _ticks.Add(ticks);

    public void AddRange(Latencies other) => _ticks.AddRange(other._ticks);

    public double PercentileMs(double p)
    {
        if (_ticks.Count == 0)
        {
            return double.NaN;
        }

        _ticks.Sort();
        var i = (int)Math.Min(_ticks.Count - 1, Math.Ceiling(p * _ticks.Count) - 1);
        return _ticks[Math.Max(0, i)] * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
    }
}
