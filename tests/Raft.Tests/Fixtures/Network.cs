namespace MultiRaft.Raft.Tests.Fixtures;

/// <summary>
/// Members in lockstep: every Ready is persisted, sent and applied at once, and messages are
/// delivered synchronously, round by round, until the group is quiet. Faults are explicit:
/// isolated members, cut links, dropped message types, ignored (stopped) members and an
/// interceptor that may drop or rewrite any message. Every message sent is recorded.
/// </summary>
internal sealed class Network
{
    private readonly SortedDictionary<ulong, Member> _members = [];
    private readonly HashSet<(ulong From, ulong To)> _cut = [];
    private readonly HashSet<MessageType> _droppedTypes = [];
    private readonly HashSet<ulong> _ignored = [];
    private readonly List<Message> _traffic = [];

    public Network(IEnumerable<Member> members)
    {
        foreach (var m in members)
        {
            _members.Add(m.Id, m);
        }
    }

    /// <summary>
    /// A group of voters 1..<paramref name="voters"/> (plus learners) with the suite's defaults.
    /// With <paramref name="bootstrap"/> every member starts from <see cref="Bootstrap"/>'s
    /// snapshot, so members added later (<see cref="Nodes.Empty"/>) can join.
    /// </summary>
    public static Network Create(int voters, Action<RaftConfig>? configure = null, ulong[]? learners = null, bool bootstrap = false)
    {
        var ids = Enumerable.Range(1, voters).Select(i => (ulong)i).ToArray();
        return new Network(ids.Concat(learners ?? []).Select(id => bootstrap
            ? new Member(Nodes.Config(id, MemoryStorage.Bootstrapped(new ConfState(ids, learners: learners)), configure))
            : Nodes.New(id, ids, configure, learners)));
    }

    /// <summary>A group of <paramref name="voters"/> with member 1 elected and everything committed.</summary>
    public static Network WithLeader(int voters, Action<RaftConfig>? configure = null, ulong[]? learners = null, bool bootstrap = false)
    {
        var net = Create(voters, configure, learners, bootstrap);
        net.Campaign(1);
        Assert.Equal(RaftRole.Leader, net[1].Node.Role);
        net.ClearTraffic();
        return net;
    }

    /// <summary>
    /// A group of three reading by lease, after a normal election: with lease reads a member that
    /// just started refuses votes for an election timeout, so the group elects by timeouts, not
    /// by Campaign.
    /// </summary>
    public static (Network Net, Member Leader) WithLeaseLeader()
    {
        var net = Create(3, c => c.ReadOnlyOption = ReadOnlyOption.LeaseBased);
        net.TickAll(3 * Nodes.ElectionTick);
        var leader = net.Leader!;
        net.ClearTraffic();
        return (net, leader);
    }

    public Member this[ulong id] => _members[id];

    public IEnumerable<Member> Members => _members.Values;

    /// <summary>Every message members sent, delivered or not, in order.</summary>
    public IReadOnlyList<Message> Traffic => _traffic;

    /// <summary>Receives a line for each Ready processed and each message sent (scripted tests print it).</summary>
    public Action<string>? Trace { get; set; }

    /// <summary>Decides each message's fate: return it (or a replacement) to deliver, null to drop.</summary>
    public Func<Message, Message?>? Intercept { get; set; }

    /// <summary>Adds a member (for example one joining through a membership change).</summary>
    public Member Add(Member m)
    {
        _members.Add(m.Id, m);
        return m;
    }

    /// <summary>Cuts every link to and from <paramref name="id"/>.</summary>
    public void Isolate(ulong id)
    {
        foreach (var other in _members.Keys)
        {
            if (other != id)
            {
                Cut(id, other);
            }
        }
    }

    /// <summary>Cuts the link between two members, both ways.</summary>
    public void Cut(ulong a, ulong b)
    {
        _cut.Add((a, b));
        _cut.Add((b, a));
    }

    /// <summary>Cuts only <paramref name="from"/> → <paramref name="to"/>.</summary>
    public void CutOneWay(ulong from, ulong to) => _cut.Add((from, to));

    /// <summary>Restores every link and stops dropping message types.</summary>
    public void Heal()
    {
        _cut.Clear();
        _droppedTypes.Clear();
    }

    public void Drop(MessageType type) => _droppedTypes.Add(type);

    public void Undrop(MessageType type) => _droppedTypes.Remove(type);

    /// <summary>Stops a member: it is neither ticked nor processed, and messages to it are lost.</summary>
    public void Ignore(ulong id) => _ignored.Add(id);

    public void Unignore(ulong id) => _ignored.Remove(id);

    public void ClearTraffic() => _traffic.Clear();

    /// <summary>Messages sent of <paramref name="type"/> (optionally only from or to one member).</summary>
    public int Count(MessageType type, ulong? from = null, ulong? to = null) =>
        Sent(type, from, to).Count();

    public IEnumerable<Message> Sent(MessageType type, ulong? from = null, ulong? to = null) =>
        _traffic.Where(m => m.Type == type && (from is null || m.From == from) && (to is null || m.To == to));

    /// <summary>Bytes of entries (with per-entry overhead) and snapshot images sent.</summary>
    public long Bytes() => _traffic.Sum(m => m.EntriesSize + (m.Snapshot?.Data.Length ?? 0));

    /// <summary>The leader with the highest term, or null.</summary>
    public Member? Leader =>
        _members.Values.Where(m => m.Node.Role == RaftRole.Leader).MaxBy(m => m.Node.Term);

    /// <summary>Processes Readys and delivers messages until nothing is left to do.</summary>
    public void Stabilize()
    {
        var queue = new Queue<Message>();
        for (var rounds = 0; ; rounds++)
        {
            if (rounds > 10_000)
            {
                throw new InvalidOperationException("the network does not settle");
            }

            var progressed = false;
            foreach (var m in _members.Values)
            {
                if (_ignored.Contains(m.Id))
                {
                    continue;
                }

                while (m.ProcessReady() is { } view)
                {
                    progressed = true;
                    if (Trace is { } trace)
                    {
                        trace($"> {m.Id}: {Describe.Ready(view)}");
                    }

                    foreach (var msg in view.Outgoing)
                    {
                        Trace?.Invoke($"  {msg}{(WouldDrop(msg) ? " (dropped)" : "")}");
                        _traffic.Add(msg);
                        queue.Enqueue(msg);
                    }
                }
            }

            if (!progressed && queue.Count == 0)
            {
                return;
            }

            while (queue.TryDequeue(out var msg))
            {
                Deliver(msg);
            }
        }
    }

    /// <summary>Hands one message to its recipient unless a fault drops it.</summary>
    public void Deliver(Message msg)
    {
        if (WouldDrop(msg) || !_members.TryGetValue(msg.To, out var to))
        {
            return;
        }

        var delivered = Intercept is null ? msg : Intercept(msg);
        if (delivered is not null)
        {
            to.Node.Step(delivered);
        }
    }

    private bool WouldDrop(Message msg) =>
        _cut.Contains((msg.From, msg.To)) || _droppedTypes.Contains(msg.Type) || _ignored.Contains(msg.To)
        || !_members.ContainsKey(msg.To);

    public void Campaign(ulong id)
    {
        _members[id].Node.Campaign();
        Stabilize();
    }

    public ProposalResult Propose(ulong id, string command)
    {
        var r = _members[id].Node.Propose(Nodes.Bytes(command));
        Stabilize();
        return r;
    }

    /// <summary>Ticks every running member <paramref name="ticks"/> times, settling the network after each.</summary>
    public void TickAll(int ticks)
    {
        for (var i = 0; i < ticks; i++)
        {
            foreach (var m in _members.Values)
            {
                if (!_ignored.Contains(m.Id))
                {
                    m.Node.Tick();
                }
            }

            Stabilize();
        }
    }

    /// <summary>Ticks one member, settling the network after each tick.</summary>
    public void Tick(ulong id, int ticks)
    {
        for (var i = 0; i < ticks; i++)
        {
            _members[id].Node.Tick();
            Stabilize();
        }
    }
}
