namespace MultiRaft.Nemesis;

/// <summary>One seeded run: cluster, clients, faults, check.</summary>
public sealed record RunOptions
{
    /// <summary>Seeds the fault schedule and the clients' choices.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>How long the clients run.</summary>
    public TimeSpan Load { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The faults to draw from; empty for none.</summary>
    public IReadOnlyList<NemesisKind> Nemeses { get; init; } = Enum.GetValues<NemesisKind>();

    /// <summary>How long each fault lasts (a random length between the two).</summary>
    public (TimeSpan Min, TimeSpan Max) FaultLength { get; init; } = (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));

    /// <summary>Quiet time after each heal.</summary>
    public (TimeSpan Min, TimeSpan Max) QuietLength { get; init; } = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

    /// <summary>The cluster.</summary>
    public ClusterOptions Cluster { get; init; } = new();

    /// <summary>The clients.</summary>
    public WorkloadOptions Workload { get; init; } = new();

    /// <summary>The checker's wall-clock budget; running out is a failure.</summary>
    public TimeSpan CheckBudget { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Where the report of a failed check goes; a fresh temporary directory when null.</summary>
    public string? ReportDirectory { get; init; }

    /// <summary>Aim every kill, pause and partition at the silo leading the most shards.</summary>
    public bool TargetLeaders { get; init; }

    /// <summary>
    /// The silo (by id) that the run's first kill or pause takes away, or its first partition
    /// isolates; later faults choose as usual. Ignored when it is not a fault target (s1 under
    /// development clustering). With postgres clustering <c>"s1"</c> shows that the first silo
    /// is no longer special.
    /// </summary>
    public string? FirstTarget { get; init; }

    /// <summary>Stop the load as soon as a check of the history so far fails (used to hunt the planted bug).</summary>
    public TimeSpan? CheckEvery { get; init; }
}
