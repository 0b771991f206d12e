using MultiRaft.Grains.Interfaces.Protos;

using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Grains.Router;

/// <summary>Silo membership: registration, heartbeats (with leader hints), draining, death.</summary>
public sealed partial class RouterStateMachine
{
    private RouterResult ApplyRegister(RegisterSilo command, long now)
    {
        var incoming = command.Silo;
        if (incoming is null || incoming.SiloId.Length == 0)
        {
            return RouterResult.Refused(RouterRefusals.MissingSiloId);
        }

        if (!_shardsById.TryGetValue(MetaShardId, out var meta))
        {
            return RouterResult.Refused(RouterRefusals.NotBootstrapped);
        }

        if (_silosById.TryGetValue(incoming.SiloId, out var silo))
        {
            silo.SiloAddress = incoming.SiloAddress;
            silo.GatewayAddress = incoming.GatewayAddress;
            silo.HttpAddress = incoming.HttpAddress;
            if (command.EmptyStorage)
            {
                ForgetReplicasOn(silo.SiloId);
            }
        }
        else
        {
            silo = new SiloInfo
            {
                SiloId = incoming.SiloId,
                SiloAddress = incoming.SiloAddress,
                GatewayAddress = incoming.GatewayAddress,
                HttpAddress = incoming.HttpAddress,
                JoinedMs = now,
            };
            _state.Silos.Insert(SiloInsertPosition(silo.SiloId), silo);
            _silosById.Add(silo.SiloId, silo);
        }

        // A draining silo that registers again (new addresses) stays draining.
        if (silo.Status != SiloStatus.Draining)
        {
            silo.Status = SiloStatus.Active;
        }

        // Registration proves the silo is alive: without this a silo coming back from DEAD would
        // carry its old heartbeat and be declared dead again at once.
        silo.LastHeartbeatMs = now;

        var replica = ReplicaOn(meta, silo.SiloId);
        if (replica is null)
        {
            replica = new ReplicaDescriptor
            {
                ReplicaId = AllocateReplicaId(),
                SiloId = silo.SiloId,
                Role = CountVotersOnActiveSilos(meta) < MetaVoters ? ReplicaRole.Voter : ReplicaRole.Learner,
            };
            meta.Replicas.Add(replica);
            BumpConfVer(meta);
        }

        return new RouterResult(RouterOutcome.Applied, null, replica.ReplicaId);
    }

    // A known silo that joins with empty storage lost its disk: each replica the map places on it
    // leaves the map (a shard's last voter stays: its data is lost either way, and removing it
    // would leave the shard nothing to elect). The shards' leaders then take the lost replicas out
    // of their groups and the planner places new ones, with new ids, wherever it likes.
    private void ForgetReplicasOn(string siloId)
    {
        foreach (var shard in _state.Shards)
        {
            var lost = ReplicaOn(shard, siloId);
            if (lost is not null && shard.Replicas.Any(r => r != lost && r.Role == ReplicaRole.Voter))
            {
                shard.Replicas.Remove(lost);
                ForgetPreference(shard, lost.ReplicaId);
                BumpConfVer(shard);
            }
        }
    }

    private RouterResult ApplyHeartbeat(SiloHeartbeat command, long now)
    {
        if (!_silosById.TryGetValue(command.SiloId, out var silo))
        {
            return RouterResult.Unknown(command.SiloId);
        }

        silo.LastHeartbeatMs = now;
        if (silo.Status == SiloStatus.Dead)
        {
            silo.Status = SiloStatus.Active;
            SiloStatusChanged();
        }

        // A heartbeat carries the hints of any subset of the shards the silo leads (a silo sends
        // those that changed, and all of them now and then): a shard it does not list keeps its
        // hint, whoever sent it. Hints are only replaced, by a newer report of the same shard.
        foreach (var hint in command.Leaders)
        {
            // Hints about shards the map does not hold (yet, or any more) would only be noise.
            if (!_shardsById.ContainsKey(hint.ShardId))
            {
                continue;
            }

            if (_leadersByShard.TryGetValue(hint.ShardId, out var stored))
            {
                // An equal hint leaves the state as replacing it would; keeping it spares the copies.
                if (hint.Term >= stored.Term && !hint.Equals(stored))
                {
                    var copy = hint.Clone();
                    _state.Leaders[LeaderPosition(hint.ShardId)] = copy;
                    _leadersByShard[hint.ShardId] = copy;
                    HintChanged(hint.ShardId);
                }
            }
            else
            {
                var copy = hint.Clone();
                _state.Leaders.Insert(LeaderPosition(hint.ShardId), copy);
                _leadersByShard.Add(hint.ShardId, copy);
                HintChanged(hint.ShardId);
            }
        }

        return new RouterResult(RouterOutcome.Applied);
    }

    private RouterResult ApplyMarkDead(MarkSiloDead command)
    {
        if (!_silosById.TryGetValue(command.SiloId, out var silo))
        {
            return RouterResult.Unknown(command.SiloId);
        }

        if (silo.Status == SiloStatus.Dead)
        {
            return RouterResult.Refused(RouterRefusals.AlreadyDead);
        }

        if (silo.Status == SiloStatus.Removed)
        {
            // Orleans declares a removed silo dead once it stops: it stays removed, so that a
            // report of it coming back cannot make it active again.
            return RouterResult.Refused(RouterRefusals.SiloRemoved);
        }

        if (silo.LastHeartbeatMs != command.LastHeartbeatMs)
        {
            return RouterResult.Refused(RouterRefusals.HeartbeatSince);
        }

        silo.Status = SiloStatus.Dead;
        return new RouterResult(RouterOutcome.Applied);
    }

    private RouterResult ApplyUndrain(UndrainSilo command)
    {
        if (!_silosById.TryGetValue(command.SiloId, out var silo))
        {
            return RouterResult.Refused(RouterRefusals.UnknownSilo);
        }

        if (silo.Status == SiloStatus.Active)
        {
            return new RouterResult(RouterOutcome.Applied);
        }

        if (silo.Status != SiloStatus.Draining)
        {
            return RouterResult.Refused(RouterRefusals.NotDraining);
        }

        silo.Status = SiloStatus.Active;
        return new RouterResult(RouterOutcome.Applied);
    }

    private RouterResult ApplyDrain(DrainSilo command)
    {
        if (!_silosById.TryGetValue(command.SiloId, out var silo))
        {
            return RouterResult.Refused(RouterRefusals.UnknownSilo);
        }

        if (silo.Status == SiloStatus.Draining)
        {
            return new RouterResult(RouterOutcome.Applied);
        }

        if (silo.Status != SiloStatus.Active)
        {
            return RouterResult.Refused(RouterRefusals.SiloNotActive);
        }

        var othersActive = _state.Silos.Count(s => s.Status == SiloStatus.Active && s != silo);
        var mostVoters = _dataShards.Length == 0 ? 0 : _dataShards.Max(s => s.Replicas.Count(r => r.Role == ReplicaRole.Voter));
        if (othersActive < Math.Max(mostVoters, 1))
        {
            return RouterResult.Refused(RouterRefusals.NoRoomToDrain);
        }

        silo.Status = SiloStatus.Draining;
        return new RouterResult(RouterOutcome.Applied);
    }

    private RouterResult ApplyRemoveSilo(RemoveSilo command)
    {
        if (!_silosById.TryGetValue(command.SiloId, out var silo))
        {
            return RouterResult.Refused(RouterRefusals.UnknownSilo);
        }

        if (silo.Status == SiloStatus.Removed)
        {
            return new RouterResult(RouterOutcome.Applied);
        }

        if (silo.Status is not (SiloStatus.Draining or SiloStatus.Dead))
        {
            return RouterResult.Refused(RouterRefusals.NotDrained);
        }

        if (_dataShards.Any(s => ReplicaOn(s, silo.SiloId) is not null))
        {
            return RouterResult.Refused(RouterRefusals.StillHoldsReplicas);
        }

        // Its meta replica stays until the silo has stopped (the planner then removes it): the
        // silo learns of its removal through that replica.
        silo.Status = SiloStatus.Removed;
        return new RouterResult(RouterOutcome.Applied);
    }

    private int CountVotersOnActiveSilos(ShardDescriptor shard)
    {
        var voters = 0;
        foreach (var r in shard.Replicas)
        {
            if (r.Role == ReplicaRole.Voter
                && _silosById.TryGetValue(r.SiloId, out var s) && s.Status == SiloStatus.Active)
            {
                voters++;
            }
        }

        return voters;
    }

    private ulong AllocateReplicaId()
    {
        // Replica ids are Raft node ids: 0 is not one, and ids are never reused.
        if (_state.NextReplicaId == 0)
        {
            _state.NextReplicaId = 1;
        }

        return _state.NextReplicaId++;
    }

    /// <summary>Index at which a new silo id keeps <c>silos</c> sorted (ordinal).</summary>
    private int SiloInsertPosition(string siloId)
    {
        int lo = 0, hi = _state.Silos.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(_state.Silos[mid].SiloId, siloId) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Lower bound of a shard id in <c>leaders</c> (sorted by shard id).</summary>
    private int LeaderPosition(ulong shardId)
    {
        int lo = 0, hi = _state.Leaders.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_state.Leaders[mid].ShardId < shardId)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
