namespace MultiRaft.Raft;

/// <summary>
/// The membership the leader tracks. Invariants (checked by <see cref="Changer"/>): learners
/// are disjoint from both voter sets; learners-next are outgoing voters only; every member has
/// a progress entry.
/// </summary>
internal sealed class TrackerConfig
{
    public TrackerConfig(JointConfig voters, IEnumerable<ulong> learners, IEnumerable<ulong> learnersNext, bool autoLeave)
    {
        Voters = voters;
        Learners = learners.Distinct().Order().ToArray();
        LearnersNext = learnersNext.Distinct().Order().ToArray();
        AutoLeave = autoLeave;
    }

    public static TrackerConfig Empty { get; } =
        new(new JointConfig(MajorityConfig.Empty, MajorityConfig.Empty), [], [], autoLeave: false);

    public JointConfig Voters { get; }

    public ulong[] Learners { get; }

    public ulong[] LearnersNext { get; }

    public bool AutoLeave { get; }

    public ConfState ToConfState() =>
        new(Voters.Incoming.Ids, Voters.Outgoing.Ids, Learners, LearnersNext, AutoLeave);

    public static TrackerConfig From(ConfState cs) =>
        new(new JointConfig(new MajorityConfig(cs.Voters), new MajorityConfig(cs.VotersOutgoing)),
            cs.Learners, cs.LearnersNext, cs.AutoLeave);

    public override string ToString() => ToConfState().ToString();
}
