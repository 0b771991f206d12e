using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Interfaces;

/// <summary>
/// What a shard's replica is now. The router's map holds the role a replica should have; a
/// replica joins its group as a learner and becomes a voter once caught up, so while it catches
/// up only the leader's report of the group's configuration (<see cref="LeaderHint.Voters"/>,
/// <see cref="LeaderHint.Learners"/>) says what it is.
/// </summary>
public static class ReplicaRoles
{
    /// <summary>
    /// The replica's role in its group's configuration as the leader last reported it; without a
    /// report, the map's role. Null when the map has the replica and the configuration does not yet.
    /// </summary>
    public static ReplicaRole? Current(ReplicaDescriptor replica, LeaderHint? hint)
    {
        ArgumentNullException.ThrowIfNull(replica);
        if (hint is null || hint.Voters.Count == 0)
        {
            return replica.Role;
        }

        return hint.Voters.Contains(replica.ReplicaId) ? ReplicaRole.Voter
            : hint.Learners.Contains(replica.ReplicaId) ? ReplicaRole.Learner
            : null;
    }
}
