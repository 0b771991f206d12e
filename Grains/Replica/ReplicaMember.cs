using MultiRaft.Raft;

namespace MultiRaft.Grains.Replica;

/// <summary>
/// One member of a shard's Raft group (the Raft side of a replica grain): the Raft
/// node, the state machine it applies to, and the client operations waiting on it. It does no
/// I/O: the silo engine persists and sends what its Ready holds, then calls
/// <see cref="ApplyCommitted"/>, <see cref="OnReadStates"/> and <see cref="AfterReady"/>.
/// Every member is used by exactly one engine worker at a time (Orleans' single-threaded turns).
/// </summary>
public sealed class ReplicaMember
{
    // Created by the first operation and dropped again by TrimBuffers: only a leader with
    // clients uses them, and a silo hosts thousands of replicas, most of them idle.
    private Dictionary<ulong, PendingProposal>? _proposals;
    private Dictionary<ulong, Action<bool>>? _readsAwaitingIndex;
    private List<(ulong Index, Action<bool> Done)>? _readsAwaitingApply;
    private ulong _nextReadId = 1;

    /// <summary>Creates the grain around a node whose state machine is already at the node's applied index.</summary>
    public ReplicaMember(ulong shardId, ulong replicaId, RawNode node, IReplicaStateMachine stateMachine)
    {
        ShardId = shardId;
        ReplicaId = replicaId;
        Node = node;
        StateMachine = stateMachine;
    }

    /// <summary>The shard.</summary>
    public ulong ShardId { get; }

    /// <summary>The Raft node id: unique in the cluster.</summary>
    public ulong ReplicaId { get; }

    /// <summary>The Raft member.</summary>
    public RawNode Node { get; }

    /// <summary>What the log is applied to.</summary>
    public IReplicaStateMachine StateMachine { get; }

    /// <summary>Index of the last snapshot saved for log compaction.</summary>
    public ulong SnapshotIndex { get; set; }

    /// <summary>Why the replica stopped, or null while it runs. A stopped replica is never stepped again.</summary>
    public string? FailureReason { get; private set; }

    /// <summary>The latest membership applied.</summary>
    public ConfState ConfState { get; set; } = ConfState.Empty;

    /// <summary>Whether this member leads its group.</summary>
    public bool IsLeader => Node.Role == RaftRole.Leader;

    /// <summary>Proposals and reads waiting (for tests and metrics).</summary>
    public int PendingCount => (_proposals?.Count ?? 0) + (_readsAwaitingIndex?.Count ?? 0) + (_readsAwaitingApply?.Count ?? 0);

    /// <summary>
    /// Proposes a command. Only a leader tracks it (its index is known at once); callers route
    /// writes to leaders. <paramref name="done"/> runs on the worker once the entry applies, or
    /// with <see cref="ApplyOutcome.Overwritten"/> if another entry takes its index.
    /// </summary>
    public ProposalResult Propose(ReadOnlyMemory<byte> payload, Action<ApplyOutcome> done)
    {
        ArgumentNullException.ThrowIfNull(done);
        if (!IsLeader)
        {
            return ProposalResult.NoLeader;
        }

        var result = Node.Propose(payload);
        if (result == ProposalResult.Accepted)
        {
            // A leader appends the proposal to its own log at once, at the end.
            (_proposals ??= [])[Node.LastIndex] = new PendingProposal(Node.Term, done);
        }

        return result;
    }

    /// <summary>
    /// Starts a linearizable read. <paramref name="ready"/>(true) runs once the state machine has
    /// applied everything committed when the read arrived; (false) if leadership was lost first.
    /// </summary>
    public ProposalResult ReadIndex(Action<bool> ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        if (!IsLeader)
        {
            return ProposalResult.NoLeader;
        }

        var id = _nextReadId++;
        var result = Node.ReadIndex(id);
        if (result == ProposalResult.Accepted)
        {
            (_readsAwaitingIndex ??= [])[id] = ready;
        }

        return result;
    }

    /// <summary>Applies a Ready's committed entries (after they and everything before are durable).</summary>
    /// <returns>False if a malformed entry stopped the replica.</returns>
    public bool ApplyCommitted(ReadOnlySpan<Entry> entries)
    {
        foreach (ref readonly var e in entries)
        {
            if (FailureReason is not null)
            {
                return false;
            }

            if (e.Index <= StateMachine.LastAppliedIndex)
            {
                continue; // replayed after a restart from a snapshot that already covers it
            }

            object? result = null;
            if (e.Type == EntryType.ConfChange)
            {
                ConfState = Node.ApplyConfChange(ConfChange.Decode(e.Data));
                StateMachine.Skip(e.Index);
            }
            else if (e.Data.IsEmpty)
            {
                StateMachine.Skip(e.Index);
            }
            else
            {
                try
                {
                    result = StateMachine.Apply(e.Index, e.Data.Span);
                }
                catch (FormatException ex)
                {
                    Stop($"committed entry {e.Term}/{e.Index} is not a command: {ex.Message}");
                    return false;
                }
            }

            if (_proposals is not null && _proposals.Remove(e.Index, out var p))
            {
                p.Done(p.Term == e.Term ? new ApplyOutcome(true, result) : ApplyOutcome.Overwritten);
            }
        }

        return true;
    }

    /// <summary>Moves reads whose index is now known to wait for the apply.</summary>
    public void OnReadStates(ReadOnlySpan<ReadState> states)
    {
        foreach (var rs in states)
        {
            if (_readsAwaitingIndex is not null && _readsAwaitingIndex.Remove(rs.RequestId, out var ready))
            {
                (_readsAwaitingApply ??= []).Add((rs.Index, ready));
            }
        }
    }

    /// <summary>
    /// After a Ready is applied and advanced: serves reads the state machine has caught up
    /// with, and fails the reads (not the writes) of a member that no longer leads.
    /// </summary>
    public void AfterReady()
    {
        if (_readsAwaitingApply is { Count: > 0 })
        {
            var applied = StateMachine.LastAppliedIndex;
            var kept = 0;
            for (var i = 0; i < _readsAwaitingApply.Count; i++)
            {
                var (index, done) = _readsAwaitingApply[i];
                if (index <= applied)
                {
                    done(true);
                }
                else
                {
                    _readsAwaitingApply[kept++] = _readsAwaitingApply[i];
                }
            }

            _readsAwaitingApply.RemoveRange(kept, _readsAwaitingApply.Count - kept);
        }

        if (!IsLeader && _readsAwaitingIndex is { Count: > 0 })
        {
            // A deposed leader never answers these: say so now, they are safe to retry.
            foreach (var ready in _readsAwaitingIndex.Values)
            {
                ready(false);
            }

            _readsAwaitingIndex.Clear();
        }
    }

    /// <summary>Stops the replica for good; waiters learn nothing more (their deadlines say unknown).</summary>
    public void Stop(string reason)
    {
        FailureReason ??= reason;
        if (_readsAwaitingIndex is not null)
        {
            foreach (var ready in _readsAwaitingIndex.Values)
            {
                ready(false);
            }
        }

        if (_readsAwaitingApply is not null)
        {
            foreach (var (_, done) in _readsAwaitingApply)
            {
                done(false);
            }
        }

        _readsAwaitingIndex = null;
        _readsAwaitingApply = null;
        _proposals = null;
    }

    /// <summary>Drops a proposal's waiter (its caller gave up); the entry may still apply.</summary>
    public void ForgetProposal(ulong index) => _proposals?.Remove(index);

    /// <summary>
    /// Releases what an idle replica does not need: the node's grown buffers (see
    /// <see cref="RawNode.TrimBuffers"/>) and the empty tables of waiting operations. Call it
    /// between Ready cycles, for example when the member quiesces.
    /// </summary>
    /// <exception cref="InvalidOperationException">The node's Ready is outstanding.</exception>
    public void TrimBuffers()
    {
        Node.TrimBuffers();
        if (_proposals is { Count: 0 })
        {
            _proposals = null;
        }

        if (_readsAwaitingIndex is { Count: 0 })
        {
            _readsAwaitingIndex = null;
        }

        if (_readsAwaitingApply is { Count: 0 })
        {
            _readsAwaitingApply = null;
        }
    }

    private readonly record struct PendingProposal(ulong Term, Action<ApplyOutcome> Done);
}
