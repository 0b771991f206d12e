using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Raft;

namespace MultiRaft.Silo.Cluster;

/// <summary>The next thing a shard's leader does to bring its Raft configuration to the router's replica list.</summary>
/// <param name="Change">A membership change to propose, or null.</param>
/// <param name="TransferTo">A voter to hand leadership to first (the leader itself is leaving), or 0.</param>
internal readonly record struct MembershipStep(ConfChange? Change, ulong TransferTo)
{
    public static MembershipStep None => default;
}

/// <summary>
/// Moves a shard's Raft configuration one step towards the replicas the router lists, on the
/// shard's leader. Replicas join as learners; a learner becomes a voter only once it has caught
/// up; a voter the router took out leaves together with the voter replacing it, in one joint
/// change, so the group never has fewer voters than it had; a voter leaves alone only when no
/// replacement is on its way. A leader that is itself leaving hands its leadership over first.
/// </summary>
internal static class MembershipReconciler
{
    /// <summary>How far behind the commit index a learner may be and still count as caught up.</summary>
    public const ulong CatchUpSlack = 100;

    /// <param name="self">The leader's replica id.</param>
    /// <param name="conf">The leader's applied configuration.</param>
    /// <param name="desired">The router's replicas of the shard with the roles it wants.</param>
    /// <param name="matchOf">The leader's replication progress (match index) of a member.</param>
    /// <param name="committed">The leader's commit index.</param>
    public static MembershipStep Next(ulong self, ConfState conf, IReadOnlyList<ReplicaDescriptor> desired, Func<ulong, ulong> matchOf,
        ulong committed)
    {
        ArgumentNullException.ThrowIfNull(conf);
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(matchOf);
        if (conf.IsJoint || desired.Count == 0)
        {
            // A joint configuration is left by the leader on its own; an empty list is no instruction.
            return MembershipStep.None;
        }

        foreach (var r in desired)
        {
            if (!conf.Voters.Contains(r.ReplicaId) && !conf.Learners.Contains(r.ReplicaId))
            {
                // New members start as learners so the group keeps its quorum while they catch up.
                return Propose(ConfChange.Single(ConfChangeType.AddLearner, r.ReplicaId));
            }
        }

        foreach (var learner in conf.Learners)
        {
            if (!Listed(desired, learner))
            {
                // Nothing counts a learner's vote: one the router dropped can go at once.
                return Propose(ConfChange.Single(ConfChangeType.RemoveNode, learner));
            }
        }

        ulong promote = 0;
        var promotionPending = false;
        foreach (var r in desired)
        {
            if (r.Role == ReplicaRole.Voter && conf.Learners.Contains(r.ReplicaId))
            {
                promotionPending = true;
                var match = matchOf(r.ReplicaId);
                if (promote == 0 && match > 0 && match + CatchUpSlack >= committed)
                {
                    promote = r.ReplicaId;
                }
            }
        }

        var leaving = conf.Voters.FirstOrDefault(v => !Listed(desired, v));
        if (leaving != 0)
        {
            if (leaving == self)
            {
                return new MembershipStep(null, HandOffTarget(self, conf, id => Listed(desired, id), matchOf, committed));
            }

            if (promote != 0)
            {
                return Propose(new ConfChange(ConfChangeTransition.Auto,
                    [new ConfChangeSingle(ConfChangeType.AddVoter, promote), new ConfChangeSingle(ConfChangeType.RemoveNode, leaving)]));
            }

            // With a replacement still catching up, the leaving voter stays and keeps counting.
            return promotionPending ? MembershipStep.None : Propose(ConfChange.Single(ConfChangeType.RemoveNode, leaving));
        }

        return promote != 0 ? Propose(ConfChange.Single(ConfChangeType.AddVoter, promote)) : MembershipStep.None;
    }

    private static MembershipStep Propose(ConfChange change) => new(change, 0);

    private static bool Listed(IReadOnlyList<ReplicaDescriptor> desired, ulong id) => ShardReplicas.Find(desired, id) is not null;

    /// <summary>
    /// Whether a leader should hand leadership to the shard's preferred replica
    /// <paramref name="prefer"/>: another voter, nearly caught up (Raft's transfer sends the rest
    /// before it hands over, and under load a follower's match index rarely equals the commit
    /// index), that acknowledged something to this leader and whose silo is not
    /// <paramref name="silent"/>. Without the last two, while a silo was down every pass asked the
    /// leaders of the shards preferring it to hand over to it, each transfer timed out after an
    /// election timeout, and those leaders never went quiet.
    /// </summary>
    public static bool HandBackTo(ulong self, ConfState conf, ulong prefer, Func<ulong, ulong> matchOf, ulong committed, Func<ulong, bool> silent)
    {
        ArgumentNullException.ThrowIfNull(conf);
        ArgumentNullException.ThrowIfNull(matchOf);
        ArgumentNullException.ThrowIfNull(silent);
        if (prefer == 0 || prefer == self || !conf.Voters.Contains(prefer))
        {
            return false;
        }

        var match = matchOf(prefer);
        return match != 0 && match + CatchUpSlack >= committed && !silent(prefer);
    }

    /// <summary>A voter other than <paramref name="self"/>, allowed by <paramref name="eligible"/>, that has every committed entry; 0 if none.</summary>
    public static ulong HandOffTarget(ulong self, ConfState conf, Func<ulong, bool> eligible, Func<ulong, ulong> matchOf, ulong committed)
    {
        ArgumentNullException.ThrowIfNull(conf);
        ArgumentNullException.ThrowIfNull(eligible);
        ArgumentNullException.ThrowIfNull(matchOf);
        foreach (var v in conf.Voters)
        {
            if (v != self && eligible(v) && matchOf(v) >= committed)
            {
                return v;
            }
        }

        return 0;
    }
}
