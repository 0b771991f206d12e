using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Raft;

namespace MultiRaft.Silo.Cluster;

/// <summary>
/// Whether a replica here is worth a membership reconciliation on its worker (a work item that
/// wakes the worker and reads the leader's progress). Only a leader acts, and it does nothing while
/// its configuration is the router's replica list, no hand-off away from a draining silo can be
/// made and no other voter is the preferred leader. Decided off the worker from the same reads the
/// worker would make (role and configuration, both published by the replica): a stale read only
/// moves the work to the next maintenance pass, which reads again. Every shard led here is
/// reconciled unconditionally once every <see cref="SafetyNetPasses"/> passes as well, in case a
/// reason to act is ever missed here.
/// </summary>
internal static class ReconcileNeed
{
    /// <summary>Maintenance passes between two unconditional reconciliations of a shard (10 s at one pass every 200 ms).</summary>
    public const ulong SafetyNetPasses = 50;

    /// <param name="leads">Whether the replica leads its group.</param>
    /// <param name="self">The replica's id.</param>
    /// <param name="conf">The replica's applied configuration.</param>
    /// <param name="desired">The router's replicas of the shard with the roles it wants.</param>
    /// <param name="handOffTo">While this silo drains: the replicas on active silos that may take over leadership; otherwise null.</param>
    /// <param name="preferredLeader">The replica the router wants to lead, if its silo is active; 0 otherwise.</param>
    /// <returns>False only when a reconciliation would certainly do nothing.</returns>
    public static bool Needed(bool leads, ulong self, ConfState conf, IReadOnlyList<ReplicaDescriptor> desired, IReadOnlySet<ulong>? handOffTo,
        ulong preferredLeader)
    {
        ArgumentNullException.ThrowIfNull(conf);
        ArgumentNullException.ThrowIfNull(desired);
        if (!leads)
        {
            return false;
        }

        // A joint configuration is brief (the leader leaves it by itself); the worker decides.
        if (conf.IsJoint || !Settled(conf, desired))
        {
            return true;
        }

        if (handOffTo is not null && AnyOtherVoter(conf, self, handOffTo))
        {
            return true;
        }

        return preferredLeader != 0 && preferredLeader != self && conf.Voters.Contains(preferredLeader);
    }

    /// <summary>Whether this pass reconciles <paramref name="shardId"/> whatever <see cref="Needed"/> says: each shard on its own pass, so that the work is spread.</summary>
    /// <param name="shardId">The shard.</param>
    /// <param name="pass">The number of the maintenance pass.</param>
    public static bool SafetyNetDue(ulong shardId, ulong pass) => shardId % SafetyNetPasses == pass % SafetyNetPasses;

    /// <summary>
    /// Whether the configuration holds exactly the router's replicas, each with its role (a learner
    /// the router wants that is already a voter counts: nothing demotes it): then
    /// <see cref="MembershipReconciler.Next"/> has no step to take.
    /// </summary>
    private static bool Settled(ConfState conf, IReadOnlyList<ReplicaDescriptor> desired)
    {
        if (desired.Count == 0)
        {
            // An empty list is no instruction.
            return true;
        }

        for (var i = 0; i < desired.Count; i++)
        {
            var r = desired[i];
            if (!conf.Voters.Contains(r.ReplicaId) && (r.Role == ReplicaRole.Voter || !conf.Learners.Contains(r.ReplicaId)))
            {
                return false;
            }
        }

        return AllListed(conf.Voters, desired) && AllListed(conf.Learners, desired);
    }

    private static bool AllListed(IReadOnlyList<ulong> members, IReadOnlyList<ReplicaDescriptor> desired)
    {
        for (var i = 0; i < members.Count; i++)
        {
            if (ShardReplicas.Find(desired, members[i]) is null)
            {
                return false;
            }
        }

        return true;
    }

    private static bool AnyOtherVoter(ConfState conf, ulong self, IReadOnlySet<ulong> eligible)
    {
        for (var i = 0; i < conf.Voters.Count; i++)
        {
            if (conf.Voters[i] != self && eligible.Contains(conf.Voters[i]))
            {
                return true;
            }
        }

        return false;
    }
}
