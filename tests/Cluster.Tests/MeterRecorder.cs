using System.Diagnostics.Metrics;

namespace MultiRaft.Cluster.Tests;

/// <summary>Every measurement of one meter instance (not of others of the same name), by instrument name.</summary>
internal sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _seen = [];

    public MeterRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i.Name, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i.Name, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i.Name, v, tags));
        _listener.Start();
    }

    /// <summary>The values recorded on <paramref name="instrument"/>, in order.</summary>
    public IReadOnlyList<double> Values(string instrument)
    {
        lock (_seen)
        {
            return _seen.Where(s => s.Instrument == instrument).Select(s => s.Value).ToArray();
        }
    }

    /// <summary>The (tags, value) pairs recorded on <paramref name="instrument"/>, in order.</summary>
    public IReadOnlyList<(string Tags, double Value)> Tagged(string instrument)
    {
        lock (_seen)
        {
            return _seen.Where(s => s.Instrument == instrument)
                .Select(s => (string.Join(",", s.Tags.Select(t => $"{t.Key}={t.Value}")), s.Value)).ToArray();
        }
    }

    public double Sum(string instrument) => Values(instrument).Sum();

    /// <summary>Reads the observable instruments now.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public void Clear()
    {
        lock (_seen)
        {
            _seen.Clear();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(string instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_seen)
        {
            _seen.Add((instrument, value, tags.ToArray()));
        }
    }
}
