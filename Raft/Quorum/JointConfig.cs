namespace MultiRaft.Raft;

/// <summary>
/// Two majority configurations that must both agree (joint consensus, Raft thesis §4.3); the
/// outgoing one is empty outside a joint configuration.
/// </summary>
internal sealed class JointConfig
{
    public JointConfig(MajorityConfig incoming, MajorityConfig outgoing)
    {
        Incoming = incoming;
        Outgoing = outgoing;
    }

    public MajorityConfig Incoming { get; }

    public MajorityConfig Outgoing { get; }

    public bool IsJoint => Outgoing.Count > 0;

    public bool Contains(ulong id) => Incoming.Contains(id) || Outgoing.Contains(id);

    /// <summary>Every voter id, each once, sorted.</summary>
    public ulong[] AllIds() => Incoming.Ids.Union(Outgoing.Ids).Order().ToArray();

    public ulong CommittedIndex<T>(T acked)
        where T : IAckedIndexer =>
        Math.Min(Incoming.CommittedIndex(acked), Outgoing.CommittedIndex(acked));

    public VoteResult Vote(IReadOnlyDictionary<ulong, bool> votes)
    {
        var a = Incoming.Vote(votes);
        var b = Outgoing.Vote(votes);
        if (a == b)
        {
            return a;
        }

        return a == VoteResult.Lost || b == VoteResult.Lost ? VoteResult.Lost : VoteResult.Pending;
    }

    public override string ToString() => IsJoint ? $"{Incoming}&&{Outgoing}" : Incoming.ToString();
}
