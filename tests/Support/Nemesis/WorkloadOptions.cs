namespace MultiRaft.Nemesis;

/// <summary>The clients' side of a run.</summary>
public sealed record WorkloadOptions
{
    /// <summary>Keys operated on (few keys: contention is what finds bugs).</summary>
    public int Keys { get; init; } = 5;

    /// <summary>Workers through the .NET client.</summary>
    public int ClientWorkers { get; init; } = 6;

    /// <summary>Workers through the HTTP API of a random silo.</summary>
    public int HttpWorkers { get; init; } = 2;

    /// <summary>Per-operation deadline: short, so that operations resolve during faults.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMilliseconds(2000);

    /// <summary>Pause between one worker's operations.</summary>
    public TimeSpan ThinkTime { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Send reads round-robin straight to the replica grain on every silo, each through an
    /// Orleans client whose only gateway is that silo, so followers answer (meaningful with the
    /// planted bug; correct replicas read through ReadIndex on the leader or refuse).
    /// </summary>
    public bool RawReadsToEverySilo { get; init; }
}
