using MultiRaft.Grains.Interfaces;

namespace MultiRaft.Grains.Kv;

/// <summary>The shard's range as its own log decided it, and splitting it.</summary>
/// <remarks>
/// A state machine starts owning the whole hash space: the router's map says which part of it the
/// shard serves, and until a split entry applies every key the router sends is the shard's. A
/// split entry shrinks the range at a point of the log; from there on a command for a key outside
/// the range is refused with <see cref="KvStatus.WrongShard"/> (nothing applies, the session is
/// not touched) and reads must not be served from here for such keys (<see cref="Owns"/>).
/// </remarks>
public sealed partial class KvStateMachine
{
    /// <summary>The first hash this shard owns (0 until a split says otherwise).</summary>
    public ulong RangeStart { get; private set; }

    /// <summary>The end (exclusive) of the hashes this shard owns; <see cref="KeyHash.SpaceEnd"/> until a split shrinks it.</summary>
    public ulong RangeEnd { get; private set; } = KeyHash.SpaceEnd;

    /// <summary>The router's range version of the last split this state went through (0: none).</summary>
    public ulong RangeVersion { get; private set; }

    /// <summary>The split the last applied entry carried out, if it was one (for the replica's host to start the new shard).</summary>
    public ShardSplit? LastSplit { get; private set; }

    /// <summary>Whether <paramref name="key"/>'s hash is in this shard's range.</summary>
    public bool Owns(ReadOnlySpan<byte> key) => OwnsHash(KeyHash.Of(key));

    /// <summary>Whether <paramref name="hash"/> is in this shard's range.</summary>
    public bool OwnsHash(ulong hash) => hash >= RangeStart && hash < RangeEnd;

    private KvResult ApplySplit(ulong index, KvCommand command)
    {
        var at = command.SplitHash;
        // Proposed twice, or against a range that changed since: nothing to do. Every replica
        // decides alike, from its own applied state.
        // The entry's end is the new shard's end: the current end once a split made the range known
        // (RangeVersion > 0); before, the range is the one the router gave and only the first
        // split (the top part) can be proposed, so no end is checked.
        var end = command.SplitRangeEnd;
        if ((RangeVersion != 0 && end != RangeEnd) || end > RangeEnd || at <= RangeStart || at >= end
            || command.SplitRangeVersion <= RangeVersion)
        {
            return KvResult.WrongShard;
        }

        var child = new KvStateMachine(sessionOptions)
        {
            RangeStart = at,
            RangeEnd = end,
            RangeVersion = command.SplitRangeVersion,
            // The child starts at this very index: its own log continues after it, so the versions
            // it writes and the client ids it hands out stay above every version and id copied here.
            LastAppliedIndex = index,
        };
        foreach (var key in Keys.Where(k => KeyHash.Of(k) >= at).ToList())
        {
            var slot = Slots[key];
            Keys.Remove(key);
            Slots.Remove(key);
            itemBytes -= key.Length + slot.Value.Length;
            child.Keys.Add(key);
            child.Slots.Add(key, slot);
            child.itemBytes += key.Length + slot.Value.Length;
        }

        // The whole session table goes to the child as well as staying here. A session belongs to a
        // client, not to a key: a client that opened it on this shard keeps using it for its keys
        // wherever they live, and a write it sent before the split (applied here, answer lost) is
        // retried on the child with the same (client id, sequence). The child must find that
        // sequence to answer the retry from the session instead of applying it again. Sequences
        // only grow per session, so the two copies never contradict each other: each shard just
        // sees some of the session's sequences.
        // The floor of client-named ids goes along: a session dropped here must not open there.
        child.sessions = SessionTable.Restore(sessionOptions, sessions.NowMs, sessions.DroppedSecond,
            sessions.InTouchOrder.Select(s => new ClientSession(s.ClientId, s.LastSequence, s.LastResult, s.LastTouchMs)).ToList());
        RangeEnd = at;
        RangeVersion = command.SplitRangeVersion;
        LastSplit = new ShardSplit(index, command.SplitChildShardId, command.SplitReplicas, child);
        return KvResult.Ok(index);
    }
}

/// <summary>A split carried out at <paramref name="Index"/>: the new shard's replicas and its initial state.</summary>
/// <param name="Index">The parent's log index of the split entry; the child's state is at this index.</param>
/// <param name="ChildShardId">The new shard.</param>
/// <param name="Replicas">For each parent replica, its child replica (on the same silo).</param>
/// <param name="Child">The new shard's initial state (owned by the caller).</param>
public sealed record ShardSplit(ulong Index, ulong ChildShardId, IReadOnlyList<(ulong Replica, ulong ChildReplica)> Replicas, KvStateMachine Child);
