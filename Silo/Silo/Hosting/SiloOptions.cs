namespace MultiRaft.Silo.Hosting;

/// <summary>
/// A silo's settings, bound from the <c>MultiRaft</c> section of appsettings.json, environment
/// variables (<c>MultiRaft__SiloId</c>) and the command line (<c>--silo-id</c>, see Program).
/// These are Orleans' ports and names too: silo port 11111, gateway 30000, <see cref="SiloId"/> is
/// the Orleans silo name.
/// </summary>
public sealed class SiloOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "MultiRaft";

    /// <summary>This silo's name, unique in the cluster and stable across restarts.</summary>
    public string SiloId { get; set; } = "";

    /// <summary>The host name or address other silos and clients reach this silo at.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The address to listen on (0.0.0.0 for every interface).</summary>
    public string Listen { get; set; } = "127.0.0.1";

    /// <summary>Silo-to-silo transport port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>HTTP API port.</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>Where the file WAL lives.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary><c>file</c> (the embedded WAL, default) or <c>postgres</c>.</summary>
    public string Storage { get; set; } = "file";

    /// <summary>Npgsql connection string, for <c>postgres</c> storage.</summary>
    public string PostgresConnectionString { get; set; } = "";

    /// <summary>The PostgreSQL schema holding the silos' logs (one schema may serve every silo of a cluster).</summary>
    public string PostgresSchema { get; set; } = "multiraft";

    /// <summary>The Orleans cluster id: silos and clients of other clusters are kept apart.</summary>
    public string ClusterId { get; set; } = "multiraft-dev";

    /// <summary>The service this cluster belongs to (Orleans' ServiceId).</summary>
    public string ServiceId { get; set; } = "multiraft";

    /// <summary>
    /// How silos find each other (Orleans clustering): <c>localhost</c> (the default: development
    /// clustering, the first silo holds the membership table) or <c>postgres</c> (ADO.NET
    /// clustering on <see cref="PostgresConnectionString"/>).
    /// </summary>
    public string Clustering { get; set; } = "localhost";

    /// <summary>
    /// With <c>localhost</c> clustering: the first silo's silo-to-silo endpoint (<c>host:port</c>),
    /// which holds the membership table; empty on the first silo itself.
    /// </summary>
    public string Join { get; set; } = "";

    /// <summary>
    /// Start a new cluster if this silo's storage is empty and no other silo is active. The
    /// silo program implies it for the first silo of <c>localhost</c> clustering (no
    /// <see cref="Join"/>); with <c>postgres</c> clustering, or a silo of your own application,
    /// set it on exactly one silo. Every other silo joins the cluster through Orleans' membership.
    /// </summary>
    public bool Bootstrap { get; set; }

    /// <summary>Data shards a new cluster starts with.</summary>
    public int InitialShards { get; set; } = 16;

    /// <summary>Length of one Raft tick.</summary>
    public int TickMs { get; set; } = 100;

    /// <summary>Election timeout, in ticks.</summary>
    public int ElectionTicks { get; set; } = 10;

    /// <summary>
    /// Ticks a leader waits with nothing appended, committed or read before it quiesces its group
    /// (if every member has the whole log): an idle group then neither ticks nor heartbeats until
    /// a request, a message or another silo's suspected death wakes it. 0: groups never quiesce.
    /// One by default: with thousands of shards each written now and then, every tick a group
    /// stays awake after a write costs a heartbeat and its answer per follower, as many messages
    /// as the write itself, while the quiesce heartbeat (which tells the members the commit) goes
    /// unanswered and a write wakes the group again for nothing more than its append.
    /// </summary>
    public int QuiesceTicks { get; set; } = 1;

    /// <summary>
    /// TEST ONLY, a planted bug: every replica serves "linearizable" reads from its own state,
    /// without ReadIndex and without being the leader. The fault tests turn it on to show their
    /// checker catches stale reads. Never set it in production.
    /// </summary>
    public bool UnsafeLocalReads { get; set; }

    /// <summary>Engine workers; 0 = one per core.</summary>
    public int Workers { get; set; }

    /// <summary>Entries applied since the last snapshot that trigger a new one.</summary>
    public int SnapshotEntries { get; set; } = 10_000;

    /// <summary>Entries kept behind a snapshot for slow followers.</summary>
    public int SnapshotKeepEntries { get; set; } = 1_000;

    /// <summary>Largest key.</summary>
    public int MaxKeyBytes { get; set; } = 4096;

    /// <summary>Largest value.</summary>
    public int MaxValueBytes { get; set; } = 1024 * 1024;

    /// <summary>Default deadline of a gateway request.</summary>
    public int RequestTimeoutMs { get; set; } = 5000;

    /// <summary>How often a silo reports its leaders (term, commit index, membership) to the router. Liveness is Orleans' membership's.</summary>
    public int HeartbeatIntervalMs { get; set; } = 1000;

    /// <summary>
    /// How long a silo may go without reporting before the router replaces its data replicas on
    /// other silos (at once when Orleans declares it dead).
    /// </summary>
    public int DownTimeMs { get; set; } = 30_000;

    /// <summary>
    /// Replicas the router's balancer moves into one silo at a time (each is a snapshot and a log
    /// to catch up, on the disks and cores that serve requests).
    /// </summary>
    public int MaxMovesPerSilo { get; set; } = 2;

    /// <summary>Whether the router spreads shard leaderships evenly over the silos.</summary>
    public bool BalanceLeaders { get; set; } = true;

    /// <summary>
    /// Keys past which the router splits a shard at the middle of its hash range (its leader
    /// reports the count; 0: never split by key count). Set on the silos that may lead the router.
    /// </summary>
    public long SplitKeys { get; set; } = 1_000_000;

    /// <summary>
    /// Bytes of keys and values past which the router splits a shard (0: never split by size).
    /// 64 MiB keeps a new replica's catch-up (one snapshot of the shard) to about a second at the
    /// default <see cref="SnapshotBytesPerSecond"/>.
    /// </summary>
    public long SplitBytes { get; set; } = 64L << 20;

    /// <summary>
    /// Snapshot messages with a larger image go to their follower in pieces of this many bytes
    /// (each one Orleans call), not as one call: Orleans refuses messages over 100 MB, and one
    /// large message holds up every other shard's Raft traffic on the same connection.
    /// </summary>
    public int SnapshotChunkBytes { get; set; } = 1 << 20;

    /// <summary>
    /// The pace at which this silo sends snapshot pieces, over all its streams (0: unpaced), so
    /// that new replicas catching up leave bandwidth and cores to the shards serving requests.
    /// </summary>
    public long SnapshotBytesPerSecond { get; set; } = 64L << 20;

    /// <summary>Whether this silo starts a new cluster when its storage is empty.</summary>
    public bool BootstrapsWhenEmpty => Bootstrap;

    /// <summary>The silo's own gateway address as others see it.</summary>
    public string GatewayAddress => $"{Host}:{GatewayPort}";

    /// <summary>The silo's transport address as others see it.</summary>
    public string SiloAddress => $"{Host}:{SiloPort}";

    /// <summary>The silo's HTTP address as others see it.</summary>
    public string HttpAddress => $"{Host}:{HttpPort}";
}
