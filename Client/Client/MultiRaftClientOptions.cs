namespace MultiRaft.Client;

/// <summary>Client settings. Which cluster it reaches is the Orleans client's (or silo's) business.</summary>
public sealed class MultiRaftClientOptions
{
    /// <summary>The whole budget of one call, retries included.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First retry delay; doubles up to <see cref="MaxRetryDelay"/>, with jitter.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Largest retry delay.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The budget of one attempt within a call: the silo gets it as its deadline, and an attempt
    /// with no answer shortly after is given up and sent again (writes carry their session, so a
    /// retry applies at most once). A call sent to a silo that has just died otherwise hangs until
    /// Orleans declares the silo dead, which can take longer than the whole call.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// A file in which the client keeps its write sessions across restarts (null: none kept). A
    /// client restarted without it opens a session on each shard it writes to again, one Raft
    /// proposal per shard before its first write there. One client process per file: it is held
    /// exclusively, and opening one held by another process throws.
    /// </summary>
    public string? SessionFile { get; set; }

    /// <summary>
    /// Whether the first write to a shard opens its session itself, under an id the client draws
    /// (one Raft proposal instead of two). A shard refuses ids drawn by a clock more than five
    /// minutes ahead of its leaders' or older than sessions it has dropped; the write then opens
    /// a session by its own proposal, as it always does when this is off.
    /// </summary>
    public bool OpenSessionsWithFirstWrite { get; set; } = true;
}
