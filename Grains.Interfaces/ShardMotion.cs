using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Interfaces;

/// <summary>
/// The replica changes a shard's leader has yet to carry out: the router's map says where a
/// shard's replicas should be, and its leader's last report (<see cref="LeaderHint"/>) says what
/// the group's configuration is. A move is in progress while the two differ.
/// </summary>
/// <param name="Joining">Replicas the map lists that do not yet have their role in the configuration (catching up, or not added yet).</param>
/// <param name="Leaving">Members of the configuration the map no longer lists.</param>
public sealed record ShardMotion(IReadOnlyList<ReplicaDescriptor> Joining, IReadOnlyList<ulong> Leaving)
{
    private static readonly ShardMotion None = new([], []);

    /// <summary>Whether nothing is moving.</summary>
    public bool Settled => Joining.Count == 0 && Leaving.Count == 0;

    /// <summary>
    /// What is moving in <paramref name="shard"/>. Without a leader's report of the configuration
    /// nothing is known to be moving (and <see cref="IsSettled"/> is false).
    /// </summary>
    public static ShardMotion Of(ShardDescriptor shard, LeaderHint? hint)
    {
        ArgumentNullException.ThrowIfNull(shard);
        if (hint is null || hint.Voters.Count == 0)
        {
            return None;
        }

        // Indexed loops, no LINQ: the balancer asks this of every shard on each pass, and at
        // 10,000 shards the iterators and closures were a kilobyte of garbage per write served.
        List<ReplicaDescriptor>? joining = null;
        var replicas = shard.Replicas;
        for (var i = 0; i < replicas.Count; i++)
        {
            if (ReplicaRoles.Current(replicas[i], hint) != replicas[i].Role)
            {
                (joining ??= []).Add(replicas[i]);
            }
        }

        List<ulong>? leaving = null;
        AddUnlisted(hint.Voters, shard, ref leaving);
        AddUnlisted(hint.Learners, shard, ref leaving);
        return joining is null && leaving is null ? None : new ShardMotion((IReadOnlyList<ReplicaDescriptor>?)joining ?? [], (IReadOnlyList<ulong>?)leaving ?? []);
    }

    private static void AddUnlisted(IList<ulong> members, ShardDescriptor shard, ref List<ulong>? unlisted)
    {
        for (var i = 0; i < members.Count; i++)
        {
            if (ShardReplicas.Find(shard, members[i]) is null)
            {
                (unlisted ??= []).Add(members[i]);
            }
        }
    }

    /// <summary>
    /// Whether the shard's leader has reported a configuration that is exactly the map's, and has
    /// carried out the map's last split of the shard (its state machine's range version is the
    /// map's; before any split the leader reports 0 and the map has 1): only such a shard is safe
    /// to start a new move or split on. A replica moved before the split entry applied would get
    /// no counterpart in the new shard.
    /// </summary>
    public static bool IsSettled(ShardDescriptor shard, LeaderHint? hint)
    {
        ArgumentNullException.ThrowIfNull(shard);
        return hint is { Voters.Count: > 0 } && Math.Max(hint.RangeVer, 1) >= (shard.Epoch?.RangeVer ?? 0) && Of(shard, hint).Settled;
    }
}
