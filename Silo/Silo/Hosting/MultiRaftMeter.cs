using System.Diagnostics.Metrics;

namespace MultiRaft.Silo.Hosting;

/// <summary>
/// The silo's <c>MultiRaft</c> meter: the engine's, transport's and WAL's instruments (named in the
/// README's metrics table). Made by the host's <see cref="IMeterFactory"/>, so it lives and dies with
/// the silo; tagged with the silo's id, so that silos sharing a process (tests) stay apart.
/// </summary>
public static class MultiRaftMeter
{
    /// <summary>The meter's name, to subscribe to (OpenTelemetry's <c>AddMeter</c>, <c>dotnet-counters</c>).</summary>
    public const string Name = "MultiRaft";

    /// <summary>The meter of silo <paramref name="siloId"/>: the same instance for every caller of one factory.</summary>
    public static Meter Create(IMeterFactory factory, string siloId)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory.Create(new MeterOptions(Name) { Tags = [new KeyValuePair<string, object?>("silo", siloId)] });
    }
}
