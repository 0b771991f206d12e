using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Kv;
using MultiRaft.Grains.Replica;
using MultiRaft.Grains.Router;
using MultiRaft.Raft;
using MultiRaft.Silo.Requests;
using MultiRaft.Storage;

namespace MultiRaft.Silo.Cluster;

/// <summary>
/// Shard splits on this silo. The router's SplitShard only changes the map; the split takes
/// effect in the parent shard's own log: its leader, seeing its range shrunk in the map, proposes
/// a split entry, and every replica applying it hands the moved keys (and a copy of the session
/// table) to a replica of the new shard started here at the same index, so all the new shard's
/// first replicas start identical. Writes for the moved keys that the parent's log orders before
/// the entry are part of the new shard's state; those after it are refused (WrongShard, a
/// retryable stale-epoch answer), never applied.
/// </summary>
/// <remarks>
/// A replica of the new shard is never created empty on a silo whose replica of the parent (or of
/// an earlier ancestor) still holds the keys: it comes from the split there. It is created empty
/// (and catches up from the new shard's leader's snapshot, as any new member does) only when no
/// local replica will produce it: the parent replica here got past the split through a parent
/// snapshot (no entry to apply), or there is no parent replica here at all (it moved away). An
/// empty replica has an empty log: it can vote only for a candidate whose log is at least as long,
/// and it never campaigns before a snapshot gave it a configuration, so it cannot make up data.
/// </remarks>
internal sealed partial class SiloCluster
{
    // New shards whose replica is being started here from a split (waiting for the map, or installing).
    private readonly ConcurrentDictionary<ulong, byte> _splitting = new();
    // Replicas of new shards made by a split applied here, waiting for a map that places them here.
    private readonly ConcurrentDictionary<ulong, (ReplicaId Id, Snapshot Snapshot, bool Campaign)> _splitChildren = new();
    // The router log's commit index this silo had persisted when it started (0: it started empty).
    // A map older than that may still place here a replica that was moved away before a restart.
    private ulong _metaCommitAtStart;
    // When this silo's leader last proposed a split of a shard (Unix ms): one proposal a second.
    private readonly ConcurrentDictionary<ulong, long> _splitProposedMs = new();

    private KvReplicaStateMachine NewKvStateMachine(ReplicaId id) =>
        new(_sessionOptions, _limits) { SplitApplied = split => OnSplitApplied(id, split) };

    // On the parent replica's worker, as the split entry applies (on recovery too: a replay finds
    // the new shard's replica already in storage and leaves it alone).
    private void OnSplitApplied(ReplicaId parent, ShardSplit split)
    {
        var childShard = split.ChildShardId;
        var childReplica = split.Replicas.FirstOrDefault(p => p.Replica == parent.Replica).ChildReplica;
        string? skip = null;
        if (childReplica == 0)
        {
            skip = $"replica {parent.Replica} has no counterpart in the split";
        }
        else if (engine.Find(childShard) is not null || engine.Store.Replicas.Any(r => r.Shard == childShard))
        {
            // Already here (recovered, or created earlier): its own log is newer than the split.
            skip = "a replica of it is already here";
        }
        else if (!_splitting.TryAdd(childShard, 0))
        {
            skip = "it is being started already";
        }

        if (skip is not null)
        {
            ClusterLog.SplitChildSkipped(logger, parent.Shard, childShard, skip);
            return;
        }

        ClusterLog.StartingSplitChild(logger, parent.Shard, split.Index, childShard, childReplica);
        var leads = engine.Find(parent.Shard) is { IsLeader: true };
        // Serialized here, on the parent's worker, at the split's index: the state is the log's.
        using var ms = new MemoryStream(checked((int)split.Child.SnapshotLength));
        split.Child.WriteSnapshot(ms);
        var snapshot = new Snapshot(split.Index, Bootstrap.Term, new ConfState(split.Replicas.Select(p => p.ChildReplica)), ms.ToArray());
        _splitChildren[childShard] = (new ReplicaId(childShard, childReplica), snapshot, leads);
        StartSplitChildIfPlaced(View, childShard);
    }

    /// <summary>
    /// Starts a replica a split made here once a map as new as anything this silo knew places it
    /// here; drops it if such a map does not. A split entry replayed after a restart may describe a
    /// replica that was moved away (and deleted) since: starting it would bring back a removed
    /// member with old data, which together with others like it could even elect a leader.
    /// </summary>
    private void StartSplitChildIfPlaced(RouterStateMachine? view, ulong childShard)
    {
        if (view is null || view.LastAppliedIndex < _metaCommitAtStart || !_splitChildren.TryGetValue(childShard, out var child)
            || view.FindShard(childShard) is not { } desc)
        {
            // No map yet, or one older than the split (or than this silo's last knowledge): wait.
            return;
        }

        if (!_splitChildren.TryRemove(new KeyValuePair<ulong, (ReplicaId, Snapshot, bool)>(childShard, child)))
        {
            return;
        }

        if (!desc.Replicas.Any(r => r.ReplicaId == child.Id.Replica && r.SiloId == options.SiloId))
        {
            ClusterLog.SplitChildSkipped(logger, desc.SplitFrom, childShard, $"the map no longer places replica {child.Id.Replica} here");
            _splitting.TryRemove(childShard, out _);
            return;
        }

        _ = StartSplitChildAsync(child.Id, child.Snapshot, child.Campaign);
    }

    private void StartWaitingSplitChildren(RouterStateMachine view)
    {
        foreach (var shard in _splitChildren.Keys)
        {
            StartSplitChildIfPlaced(view, shard);
        }
    }

    private async Task StartSplitChildAsync(ReplicaId id, Snapshot snapshot, bool campaign)
    {
        try
        {
            // Durable before the replica runs, like a bootstrap snapshot: the new shard's first
            // state is at the split's index, so its versions and session ids stay above the parent's.
            await engine.Store.InstallSnapshotAsync(id, snapshot, _stopping.Token).ConfigureAwait(false);
            AddReplica(id);
            if (campaign)
            {
                // Beside the parent's leader: lead at once rather than after an election timeout.
                engine.Post(id.Shard, g => g.Node.Campaign());
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            ClusterLog.SplitChildFailed(logger, ex, id.Shard);
        }
        finally
        {
            _splitting.TryRemove(id.Shard, out _);
        }
    }

    /// <summary>
    /// Whether this silo must not create <paramref name="shard"/>'s replica empty: it is being
    /// started from a split, or a local replica of a shard it was split from still holds its keys
    /// (that replica's split entry will start it).
    /// </summary>
    private bool AwaitingSplit(RouterStateMachine view, ShardDescriptor shard)
    {
        if (_splitting.ContainsKey(shard.ShardId))
        {
            return true;
        }

        var seen = 0;
        for (var from = shard.SplitFrom; from != 0 && seen++ < 64; from = view.FindShard(from)?.SplitFrom ?? 0)
        {
            // Read off the parent's worker, in this order: the range (it only shrinks, so a stale
            // read only waits longer), then whether a split is being applied (raised before the
            // range shrinks, lowered after OnSplitApplied recorded the new shard in _splitting).
            if (engine.Find(from) is { StateMachine: KvReplicaStateMachine kv })
            {
                if (kv.Kv.OwnsHash(shard.HashStart))
                {
                    return true;
                }

                Interlocked.MemoryBarrier();
                if (kv.SplitApplying)
                {
                    return true;
                }
            }
        }

        // Started from a split since the caller looked.
        return _splitting.ContainsKey(shard.ShardId) || engine.Find(shard.ShardId) is not null;
    }

    // On the leader of a shard whose range the map shrank: proposes the split entry for the
    // highest part still held (splits are carried out from the top of the range down, so each
    // entry's part ends where the shard's range ends then).
    private void ProposeSplitIfLeading(RouterStateMachine view, ShardDescriptor desc)
    {
        // Cheap first look (off the worker; the worker decides): the map's range version is past
        // the state machine's only while a split of the map is still to carry out.
        if (engine.Find(desc.ShardId) is not { StateMachine: KvReplicaStateMachine local }
            || Math.Max(local.Kv.RangeVersion, 1) >= desc.Epoch.RangeVer)
        {
            return;
        }

        List<ShardDescriptor>? children = null;
        foreach (var s in view.DataShards)
        {
            if (s.SplitFrom == desc.ShardId && s.HashStart >= desc.HashEnd)
            {
                (children ??= []).Add(s);
            }
        }

        if (children is null)
        {
            return;
        }

        var now = NowMs;
        _leaderWorkFound = true;
        engine.Post(desc.ShardId, g =>
        {
            if (!g.IsLeader || g.StateMachine is not KvReplicaStateMachine { Kv: var kv })
            {
                return;
            }

            var carved = children.Where(c => kv.OwnsHash(c.HashStart) && c.HashStart > kv.RangeStart).MaxBy(c => c.HashStart);
            if (carved is null || (kv.RangeVersion != 0 && carved.HashEnd != kv.RangeEnd)
                || now - _splitProposedMs.GetValueOrDefault(desc.ShardId) < 1000)
            {
                return;
            }

            var pairs = new List<(ulong, ulong)>();
            foreach (var c in carved.Replicas)
            {
                if (desc.Replicas.FirstOrDefault(r => r.SiloId == c.SiloId) is { } p)
                {
                    pairs.Add((p.ReplicaId, c.ReplicaId));
                }
            }

            if (pairs.Count == 0)
            {
                return;
            }

            _splitProposedMs[desc.ShardId] = now;
            ClusterLog.ProposingSplit(logger, desc.ShardId, carved.HashStart, carved.ShardId);
            var command = KvCommand.Split(carved.HashStart, carved.HashEnd, carved.Epoch.RangeVer, carved.ShardId, pairs, now);
            g.Node.Propose(CommandCodec.Encode(command));
        });
    }

    /// <summary>
    /// Splits a data shard through the router's leader (the meta replica on this silo must lead):
    /// at <paramref name="splitHash"/>, or at the middle of its range when 0. OK carries the view.
    /// </summary>
    public async ValueTask<ClientResponse> HandleSplitAsync(ulong shardId, ulong splitHash, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var shard = View?.FindShard(shardId);
        if (shard is null || shardId == RouterStateMachine.MetaShardId)
        {
            return Responses.Status(ResponseStatus.NotFound, $"no data shard {shardId}");
        }

        var at = splitHash != 0 ? splitHash : shard.HashStart + ((shard.HashEnd - shard.HashStart) / 2);
        return await ProposeToRouterAsync(RouterCommands.SplitShard(shardId, at, shard.Epoch, NowMs), "split", timeout, cancellationToken)
            .ConfigureAwait(false);
    }
}
