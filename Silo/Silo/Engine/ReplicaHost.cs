using MultiRaft.Grains.Replica;
using MultiRaft.Storage;

namespace MultiRaft.Silo.Engine;

/// <summary>A replica as the engine holds it: its Raft member and the worker that owns it.</summary>
internal sealed class ReplicaHost(ReplicaId id, ReplicaMember member, EngineWorker worker)
{
    private long _keys;
    private long _bytes;
    // One bit per ChangeReader that has not yet taken this replica's latest change.
    private int _unread;

    public ReplicaId Id { get; } = id;

    public ReplicaMember Member { get; } = member;

    public EngineWorker Worker { get; } = worker;

    /// <summary>Set once the replica is removed or stopped: late work for it is dropped.</summary>
    public volatile bool Closed;

    /// <summary>The replica led its group at its last role change: read by other threads as a routing hint only.</summary>
    public volatile bool Leads;

    /// <summary>The term of the last hard state the engine saw (worker only): a higher one voting for itself is a campaign.</summary>
    public ulong Term { get; set; } = member.Node.Term;

    /// <summary>Ticks since this replica, leading, last appended, committed or read anything (worker only): when it may quiesce.</summary>
    public int IdleTicks { get; set; }

    /// <summary>Moves each time the replica goes quiet or wakes (worker only): a buffer trim planned when it went quiet is void once it woke.</summary>
    public long QuietGeneration { get; set; }

    /// <summary>
    /// The batches of its own entries this replica, as leader, handed to storage and has not yet
    /// seen committed (worker only; kept only while the commit latency has a listener).
    /// </summary>
    public Queue<AppendedBatch> Appended { get; } = new();

    /// <summary>Keys in the replica's KV state as last published by its worker (0 for the meta shard).</summary>
    public long Keys => Volatile.Read(ref _keys);

    /// <summary>Key and value bytes in the replica's KV state as last published by its worker.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>
    /// Marks a change for every reader; the caller counts it after (see <see cref="SiloEngine.Changes"/>).
    /// Returns the readers that had taken every earlier change (whose mark this sets): the
    /// replica goes on their lists of changed replicas, once until they take it.
    /// </summary>
    public ChangeReader MarkChanged() => ChangeReader.All & ~(ChangeReader)Interlocked.Or(ref _unread, (int)ChangeReader.All);

    /// <summary>Whether the replica changed since <paramref name="reader"/> last asked; clears its mark.</summary>
    public bool TakeChanged(ChangeReader reader) => (Interlocked.And(ref _unread, ~(int)reader) & (int)reader) != 0;

    /// <summary>Publishes the KV state's size for the metrics scrape, which runs on another thread; call on the worker.</summary>
    public void PublishSize()
    {
        if (Member.StateMachine is KvReplicaStateMachine sm)
        {
            Volatile.Write(ref _keys, sm.Kv.Count);
            Volatile.Write(ref _bytes, sm.Kv.ItemBytes);
        }
    }
}

/// <summary>Entries <see cref="First"/>..<see cref="Last"/> of <see cref="Term"/>, handed to storage at <see cref="Timestamp"/>.</summary>
internal readonly record struct AppendedBatch(ulong First, ulong Last, ulong Term, long Timestamp);
