namespace MultiRaft.Nemesis;

/// <summary>The faults the harness injects.</summary>
public enum NemesisKind
{
    /// <summary>SIGKILL a silo, restart it from its WAL after the fault.</summary>
    Kill,

    /// <summary>SIGSTOP a silo for longer than the election timeout, then SIGCONT.</summary>
    Pause,

    /// <summary>A network partition: one silo isolated, a majority/minority split, the busiest leader isolated, or a bridge.</summary>
    Partition,

    /// <summary>Packet loss and delay with tc netem.</summary>
    Netem,

    /// <summary>Leadership transfers of random shards through the HTTP API.</summary>
    Transfer,

    /// <summary>One more silo (<c>j1</c>, <c>j2</c>, at most two a run) joins the running cluster and stays.</summary>
    Join,

    /// <summary>
    /// Scale out and in: a silo joins (<c>d1</c>, <c>d2</c>, ...), gets its share of replicas and
    /// leaders from the balancer, is drained through the HTTP API and, once it holds no data
    /// replica, removed; it stops itself (exit 0) and leaves the run. Under development clustering
    /// the joins go through s1.
    /// </summary>
    Drain,

    /// <summary>
    /// Shard splits through the HTTP API while the clients run: a shard holding workload keys
    /// splits so that keys move to the new shard, the fresh new shard is split again as soon as
    /// the router takes it, and right after a split its shard's leadership may be transferred or
    /// its leader's silo killed (restarted at the heal). Refused splits are retried.
    /// </summary>
    Split,
}
