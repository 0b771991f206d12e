using System.Text;

namespace MultiRaft.Raft.Tests.Fixtures;

/// <summary>Builders for single members and hand-made messages (white-box tests).</summary>
internal static class Nodes
{
    public const int ElectionTick = 10;
    public const int HeartbeatTick = 1;

    /// <summary>A configuration with the suite's defaults; <paramref name="configure"/> adjusts it.</summary>
    public static RaftConfig Config(ulong id, MemoryStorage storage, Action<RaftConfig>? configure = null)
    {
        var c = new RaftConfig
        {
            Id = id,
            Storage = storage,
            ElectionTick = ElectionTick,
            HeartbeatTick = HeartbeatTick,
            Random = new Random(unchecked((int)id * 31)),
        };
        configure?.Invoke(c);
        return c;
    }

    /// <summary>A fresh member of a group whose voters are <paramref name="voters"/>.</summary>
    public static Member New(ulong id, ulong[] voters, Action<RaftConfig>? configure = null, ulong[]? learners = null) =>
        new(Config(id, new MemoryStorage(new ConfState(voters, learners: learners)), configure));

    /// <summary>A member with empty storage, to be added to a bootstrapped group (it learns the membership from a snapshot).</summary>
    public static Member Empty(ulong id, Action<RaftConfig>? configure = null) => new(Config(id, new MemoryStorage(), configure));

    /// <summary>A member whose storage already holds <paramref name="terms"/> (entry i+1 has terms[i]) and the hard state.</summary>
    public static Member WithLog(ulong id, ulong[] voters, ulong[] terms, HardState hs, Action<RaftConfig>? configure = null)
    {
        var storage = new MemoryStorage(new ConfState(voters));
        storage.Append(Log(terms));
        storage.SetHardState(hs);
        return new Member(Config(id, storage, configure));
    }

    /// <summary>Entries 1..n with the given terms and payloads "e{index}".</summary>
    public static Entry[] Log(params ulong[] terms) =>
        terms.Select((t, i) => Entry(t, (ulong)i + 1)).ToArray();

    public static Entry Entry(ulong term, ulong index) => new(term, index, Encoding.UTF8.GetBytes($"e{index}"));

    public static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Makes <paramref name="m"/> leader of a fresh group by hand: campaign and feed it granted votes.</summary>
    public static void ElectByHand(Member m)
    {
        m.Node.Campaign();
        for (var round = 0; round < 2 && m.Node.Role != RaftRole.Leader; round++)
        {
            foreach (var msg in m.Drain().Where(x => x.Type is MessageType.Vote or MessageType.PreVote))
            {
                m.Node.Step(new Message
                {
                    Type = msg.Type == MessageType.Vote ? MessageType.VoteResponse : MessageType.PreVoteResponse,
                    From = msg.To,
                    To = m.Id,
                    Term = msg.Term,
                });
            }
        }

        Assert.Equal(RaftRole.Leader, m.Node.Role);
    }
}
