namespace MultiRaft.Raft;

/// <summary>
/// A group's membership as of some log index: voters (in a joint configuration, the incoming
/// and the outgoing voters), learners, and learners that become learners when a joint
/// configuration is left (voters being demoted).
/// </summary>
public sealed class ConfState : IEquatable<ConfState>
{
    /// <summary>An empty configuration (no members).</summary>
    public static readonly ConfState Empty = new([], [], [], [], autoLeave: false);

    /// <summary>Creates a configuration; ids are kept sorted.</summary>
    public ConfState(IEnumerable<ulong> voters, IEnumerable<ulong>? votersOutgoing = null,
        IEnumerable<ulong>? learners = null, IEnumerable<ulong>? learnersNext = null, bool autoLeave = false)
    {
        Voters = Sorted(voters);
        VotersOutgoing = Sorted(votersOutgoing);
        Learners = Sorted(learners);
        LearnersNext = Sorted(learnersNext);
        AutoLeave = autoLeave;
    }

    /// <summary>The voters of the (incoming) configuration.</summary>
    public IReadOnlyList<ulong> Voters { get; }

    /// <summary>The voters of the outgoing configuration; empty unless joint.</summary>
    public IReadOnlyList<ulong> VotersOutgoing { get; }

    /// <summary>Members that receive the log but do not vote.</summary>
    public IReadOnlyList<ulong> Learners { get; }

    /// <summary>Outgoing voters that become learners when the joint configuration is left.</summary>
    public IReadOnlyList<ulong> LearnersNext { get; }

    /// <summary>Whether the leader leaves the joint configuration by itself once it is applied.</summary>
    public bool AutoLeave { get; }

    /// <summary>True while in a joint configuration.</summary>
    public bool IsJoint => VotersOutgoing.Count > 0;

    /// <summary>Whether <paramref name="id"/> is any kind of member.</summary>
    public bool Contains(ulong id) =>
        Voters.Contains(id) || VotersOutgoing.Contains(id) || Learners.Contains(id) || LearnersNext.Contains(id);

    /// <inheritdoc />
    public bool Equals(ConfState? other) =>
        other is not null && AutoLeave == other.AutoLeave && Voters.SequenceEqual(other.Voters)
        && VotersOutgoing.SequenceEqual(other.VotersOutgoing) && Learners.SequenceEqual(other.Learners)
        && LearnersNext.SequenceEqual(other.LearnersNext);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ConfState);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Voters.Count, VotersOutgoing.Count, Learners.Count, AutoLeave);

    /// <inheritdoc />
    public override string ToString() =>
        $"voters=({string.Join(' ', Voters)})" + (IsJoint ? $"&&({string.Join(' ', VotersOutgoing)})" : "")
        + (Learners.Count > 0 ? $" learners=({string.Join(' ', Learners)})" : "")
        + (LearnersNext.Count > 0 ? $" learners_next=({string.Join(' ', LearnersNext)})" : "")
        + (AutoLeave ? " autoleave" : "");

    private static ulong[] Sorted(IEnumerable<ulong>? ids)
    {
        if (ids is null)
        {
            return [];
        }

        var a = ids.Distinct().ToArray();
        Array.Sort(a);
        return a;
    }
}
