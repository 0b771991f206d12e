namespace MultiRaft.Nemesis;

/// <summary>How the harness builds its cluster.</summary>
public sealed record ClusterOptions
{
    /// <summary>Silo processes (3 or 5).</summary>
    public int Silos { get; init; } = 3;

    /// <summary>Data shards of the new cluster.</summary>
    public int Shards { get; init; } = 4;

    /// <summary>The silos' Raft tick.</summary>
    public int TickMs { get; init; } = 50;

    /// <summary>Engine workers per silo (the silos share the machine).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>The planted bug: every replica serves linearizable reads from its own state.</summary>
    public bool UnsafeLocalReads { get; init; }

    /// <summary>
    /// The silos' own request deadline (their HTTP API answers 503/504 after it): shorter than
    /// the harness's HTTP timeout, so that HTTP operations get a definite status when one exists.
    /// </summary>
    public int RequestTimeoutMs { get; init; } = 2000;

    /// <summary>How silos find each other; <see cref="ClusteringMode.Localhost"/> (development clustering) by default.</summary>
    public ClusteringMode Clustering { get; init; } = ClusteringMode.Localhost;

    /// <summary>
    /// The Npgsql connection string of <see cref="ClusteringMode.Postgres"/> clustering, as the
    /// root namespace reaches the server (<see cref="PostgresServer"/> gives one). Each run gets a
    /// schema of its own there (<c>nemesis_&lt;machine&gt;_&lt;pid&gt;_&lt;random&gt;</c>), dropped
    /// when the harness is disposed; silos in namespaces reach the server through a relay on the
    /// bridge that no partition cuts.
    /// </summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>
    /// The Orleans cluster id of silos and clients. Null: <c>multiraft-dev</c> with development
    /// clustering (each run's membership lives in its own s1), a fresh id per run with PostgreSQL
    /// (runs share the membership table).
    /// </summary>
    public string? ClusterId { get; init; }

    /// <summary>Use network namespaces when the machine allows; false forces plain loopback.</summary>
    public bool UseNamespaces { get; init; } = true;

    /// <summary>Where data directories and logs go; a fresh temporary directory when null.</summary>
    public string? RootDirectory { get; init; }
}
