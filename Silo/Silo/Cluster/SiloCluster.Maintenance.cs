using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Replica;
using MultiRaft.Grains.Router;
using MultiRaft.Silo.Engine;
using MultiRaft.Storage;

using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Silo.Cluster;

/// <summary>
/// The replicas' side of a maintenance pass: replicas the map places here are created, those it
/// took away removed, and leaders whose group differs from the map reconciled. Walking the whole
/// map costs time proportional to the shards on every pass (thousands, five times a second), so a
/// pass walks it only when the map changed (anything but liveness), when the last walk left work
/// behind (a replica created, deferred or being removed), and every <see cref="WholeWalkPasses"/>
/// passes; other passes visit only the replicas that lead here, and once a pass found every one of
/// them settled, only those that changed since (the engine's per-replica marks: under writes spread
/// over 10,000 shards every pass sees some change, but only of the few hundred shards written)
/// and the safety net's slice.
/// </summary>
internal sealed partial class SiloCluster
{
    /// <summary>Passes between two walks of the whole map when nothing asks for one (2 s).</summary>
    private const ulong WholeWalkPasses = 10;

    private ulong _maintenancePasses;
    // The map's ChangedAtIndex at the last whole walk.
    private ulong _walkedAtChange = ulong.MaxValue;
    // The last whole walk created, deferred or removed a replica: the next pass walks again.
    private bool _walkAgain;

    // The engine's change count when a pass last found every leader here settled; -1 when it found
    // work (a reconciliation or split posted), which may need the next pass to go on with it.
    private long _leadersSettledAt = -1;
    // Set by a pass that posted work for a leader here (not the safety net's routine post).
    private bool _leaderWorkFound;
    // The replicas changed since the last pass that took them (reused: no list per pass).
    private readonly List<ReplicaMember> _changedHere = [];
    // The replicas of this pass's safety-net slice (reused).
    private readonly List<ReplicaMember> _safetyNetSlice = [];

    private void MaintainReplicas(RouterStateMachine view, bool draining)
    {
        var pass = ++_maintenancePasses;
        var changes = engine.Changes;
        _leaderWorkFound = false;
        var walk = _walkAgain || view.ChangedAtIndex != _walkedAtChange || pass % WholeWalkPasses == 0;
        if (!walk && changes == _leadersSettledAt)
        {
            VisitSafetyNetSlice(view, draining, pass);
            if (_leaderWorkFound)
            {
                _leadersSettledAt = -1;
            }

            return;
        }

        // Taken after the count was read: every change the count includes is marked by now.
        _changedHere.Clear();
        engine.TakeChanged(ChangeReader.Maintenance, _changedHere);
        if (walk)
        {
            _walkedAtChange = view.ChangedAtIndex;
            _walkAgain = false;
            WalkMap(view, draining, pass);
        }
        else if (_leadersSettledAt < 0)
        {
            WalkHosted(engine.Replicas, view, draining, pass);
        }
        else
        {
            VisitSafetyNetSlice(view, draining, pass);
            WalkHosted(_changedHere, view, draining, pass, exceptSafetyNetDue: true);
        }

        _leadersSettledAt = _leaderWorkFound ? -1 : changes;
    }

    // Only the shards whose safety-net pass has come are visited (what ReconcileNeed cannot see
    // is what the safety net is for).
    private void VisitSafetyNetSlice(RouterStateMachine view, bool draining, ulong pass)
    {
        _safetyNetSlice.Clear();
        engine.CollectSlice(pass % ReconcileNeed.SafetyNetPasses, ReconcileNeed.SafetyNetPasses, _safetyNetSlice);
        foreach (var hosted in _safetyNetSlice)
        {
            if (hosted.IsLeader && view.FindShard(hosted.ShardId) is { } shard)
            {
                MaintainHosted(view, shard, hosted, draining, pass);
            }
        }
    }

    private void WalkMap(RouterStateMachine view, bool draining, ulong pass)
    {
        // A view older than this silo's registration (a new meta replica replaying the router's
        // history) neither starts replicas (it may list some a wiped disk lost) nor removes them:
        // the meta replica itself, created from the join's answer, is missing from such a view,
        // and deleting it made the next view start it again, empty, under the same id.
        var viewPredatesJoin = view.LastAppliedIndex < Volatile.Read(ref _joinedAtIndex);
        foreach (var shard in view.State.Shards)
        {
            var mine = ReplicaHere(shard);
            var hosted = engine.Find(shard.ShardId);
            if (mine is not null && hosted is null)
            {
                if (_deletedHere.ContainsKey(new ReplicaId(shard.ShardId, mine.ReplicaId)))
                {
                    // Never again under the same id: its leader may count it as holding entries it no longer has.
                    continue;
                }

                _walkAgain = true;
                if (viewPredatesJoin || AwaitingSplit(view, shard))
                {
                    continue;
                }

                ClusterLog.CreatingReplica(logger, shard.ShardId, mine.ReplicaId);
                AddReplica(new ReplicaId(shard.ShardId, mine.ReplicaId));
            }
            else if (hosted is not null && mine?.ReplicaId != hosted.ReplicaId && !viewPredatesJoin && LeftGroup(view, shard.ShardId, hosted.ReplicaId))
            {
                _walkAgain = true;
                RemoveReplica(hosted);
            }
            else if (hosted is not null)
            {
                MaintainHosted(view, shard, hosted, draining, pass);
            }
        }
    }

    // The map is as the last whole walk saw it: only the replicas here can have changed (role,
    // configuration, state machine), and a replica the map does not list is the whole walk's.
    private void WalkHosted(IEnumerable<ReplicaMember> replicas, RouterStateMachine view, bool draining, ulong pass, bool exceptSafetyNetDue = false)
    {
        foreach (var hosted in replicas)
        {
            // A follower has nothing to do until the map changes. A shard the safety net just
            // visited is not posted to twice.
            if (hosted.IsLeader && !(exceptSafetyNetDue && ReconcileNeed.SafetyNetDue(hosted.ShardId, pass))
                && view.FindShard(hosted.ShardId) is { } shard)
            {
                MaintainHosted(view, shard, hosted, draining, pass);
            }
        }
    }

    private void MaintainHosted(RouterStateMachine view, ShardDescriptor shard, ReplicaMember hosted, bool draining, ulong pass)
    {
        ReconcileIfNeeded(view, shard, hosted, draining, pass);
        if (shard.ShardId != 0 && hosted.IsLeader && engine.Leads(shard.ShardId))
        {
            ProposeSplitIfLeading(view, shard);
        }
    }

    // This silo's replica of the shard in the map, if any. Indexed, as everything walking every
    // shard on each pass: a RepeatedField's enumerator and a capturing lambda are allocations.
    private ReplicaDescriptor? ReplicaHere(ShardDescriptor shard)
    {
        var replicas = shard.Replicas;
        for (var i = 0; i < replicas.Count; i++)
        {
            if (string.Equals(replicas[i].SiloId, options.SiloId, StringComparison.Ordinal))
            {
                return replicas[i];
            }
        }

        return null;
    }

    // Posts a reconciliation to the replica's worker only when it could do something (or the
    // shard's safety-net pass has come): most passes find every shard settled.
    private void ReconcileIfNeeded(RouterStateMachine view, ShardDescriptor desc, ReplicaMember hosted, bool draining, ulong pass)
    {
        // Two thirds of the replicas here follow, and a follower's reconciliation returns at once,
        // so the safety net covers leaders only. The role is the replica's own, read off the worker.
        var leads = hosted.IsLeader;
        if (!leads)
        {
            return;
        }

        // A draining silo hands the leadership of its shards to voters on active silos.
        var handOffTo = draining
            ? desc.Replicas.Where(r => view.FindSilo(r.SiloId)?.Status == SiloStatus.Active).Select(r => r.ReplicaId).ToHashSet()
            : null;
        var prefer = PreferredLeader(view, desc);
        var needed = ReconcileNeed.Needed(leads, hosted.ReplicaId, hosted.ConfState, desc.Replicas, handOffTo, prefer);
        _leaderWorkFound |= needed;
        if (needed || ReconcileNeed.SafetyNetDue(desc.ShardId, pass))
        {
            PostReconcile(desc, handOffTo, prefer);
        }
    }

    // Its own method: a lambda in the one above made every call allocate the captured variables'
    // closure on entry, for the followers that return at once too (about once per write served).
    private void PostReconcile(ShardDescriptor desc, HashSet<ulong>? handOffTo, ulong prefer) =>
        engine.Post(desc.ShardId, g => ReconcileMembership(g, desc, handOffTo, prefer));

    // The replica the router wants to lead the shard, if its silo is ACTIVE (one draining, dead or
    // removed leads nothing new); 0 otherwise.
    private static ulong PreferredLeader(RouterStateMachine view, ShardDescriptor desc)
    {
        if (desc.PreferredLeader == 0)
        {
            return 0;
        }

        return ShardReplicas.Find(desc, desc.PreferredLeader) is { } preferred && view.FindSilo(preferred.SiloId)?.Status == SiloStatus.Active
            ? desc.PreferredLeader
            : 0;
    }
}
