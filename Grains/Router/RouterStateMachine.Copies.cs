using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Router;

/// <summary>
/// Read-only copies of the state for other threads. Most applied batches are heartbeats that
/// change only silos' liveness and a few leader hints, and the state holds every shard: a copy
/// made after such a batch takes the shard descriptors (and the unchanged hints) of the last copy
/// instead of serializing and parsing the whole state. Copies are never changed once made, so
/// they can share objects with one another, never with the live state.
/// </summary>
public sealed partial class RouterStateMachine
{
    // True when something other than silos' liveness and leader hints may have changed since the
    // last copy (any command but a heartbeat, a restore): the next copy is made whole.
    private bool _copyWhole = true;
    // Shards whose leader hint a heartbeat replaced or added since the last copy.
    private readonly HashSet<ulong> _hintsChanged = [];
    private RouterStateMachine? _lastCopy;

    /// <summary>
    /// The index of the last applied entry that changed anything but silos' liveness (a new shard
    /// layout, a silo's status, a leader hint); the restored index after a restore. Consumers that
    /// act on changes (the planner) compare it instead of <see cref="LastAppliedIndex"/>, which every
    /// heartbeat advances.
    /// </summary>
    public ulong ChangedAtIndex { get; private set; }

    /// <summary>
    /// A copy of the state, with its own lookups, that no command changes: hand it to other
    /// threads. Called by the owner (like <see cref="Apply(ulong, RouterCommand)"/>).
    /// </summary>
    public RouterStateMachine ReadOnlyCopy()
    {
        RouterStateMachine copy;
        if (_copyWhole || _lastCopy is null)
        {
            copy = new RouterStateMachine();
            copy.RestoreSnapshot(WriteSnapshot());
        }
        else
        {
            copy = SharingCopy(_lastCopy);
        }

        copy.ChangedAtIndex = ChangedAtIndex;
        _copyWhole = false;
        _hintsChanged.Clear();
        _lastCopy = copy;
        return copy;
    }

    // Only silos' liveness and the hints in _hintsChanged differ from `previous`: the shard layout
    // and its indexes are shared with it.
    private RouterStateMachine SharingCopy(RouterStateMachine previous)
    {
        var copy = new RouterStateMachine();
        copy._state = new RouterState
        {
            ClusterId = _state.ClusterId,
            NextReplicaId = _state.NextReplicaId,
            NextShardId = _state.NextShardId,
            NowMs = _state.NowMs,
        };
        foreach (var silo in _state.Silos)
        {
            copy._state.Silos.Add(silo.Clone());
        }

        copy._state.Shards.AddRange(previous._state.Shards);
        copy._shardsById = previous._shardsById;
        copy._dataShards = previous._dataShards;
        copy._dataShardStarts = previous._dataShardStarts;
        copy._silosById = IndexSilos(copy._state.Silos);
        if (_hintsChanged.Count == 0)
        {
            copy._state.Leaders.AddRange(previous._state.Leaders);
            copy._leadersByShard = previous._leadersByShard;
        }
        else
        {
            foreach (var hint in _state.Leaders)
            {
                copy._state.Leaders.Add(_hintsChanged.Contains(hint.ShardId) ? hint.Clone() : previous._leadersByShard[hint.ShardId]);
            }

            copy._leadersByShard = IndexLeaders(copy._state.Leaders);
        }

        copy.LastAppliedIndex = LastAppliedIndex;
        return copy;
    }

    private void CopyWholeNextTime(ulong index)
    {
        _copyWhole = true;
        ChangedAtIndex = index;
    }

    private void HintChanged(ulong shardId)
    {
        _hintsChanged.Add(shardId);
        ChangedAtIndex = LastAppliedIndex;
    }

    private void SiloStatusChanged() => ChangedAtIndex = LastAppliedIndex;
}
