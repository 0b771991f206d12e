namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>
/// A group of simulated members driven by one seeded generator and a logical clock (simulated
/// milliseconds). <see cref="Step"/> runs the next event (a message delivery, or a tick of every
/// member), processes every Ready that results, and checks the invariants.
/// </summary>
public sealed partial class SimCluster
{
    private readonly SortedDictionary<ulong, SimNode> _nodes = [];
    private long _nextTickAt;

    public SimCluster(SimOptions options)
    {
        Options = options;
        Rng = new Random(options.Seed);
        Net = new SimNetwork(Rng, options.MinDelayMs, options.MaxDelayMs);
        Checker = new InvariantChecker(this);
        var bootstrap = new ConfState(Enumerable.Range(1, options.Nodes).Select(i => (ulong)i));
        for (var i = 1; i <= options.Nodes; i++)
        {
            var n = new SimNode((ulong)i, bootstrap, options.DiskIgnoresFsync);
            _nodes.Add(n.Id, n);
            StartMember(n);
        }

        NextNodeId = (ulong)options.Nodes + 1;
        _nextTickAt = options.TickMs;
    }

    public SimOptions Options { get; }

    /// <summary>The run's only source of randomness.</summary>
    public Random Rng { get; }

    public SimNetwork Net { get; }

    public InvariantChecker Checker { get; }

    /// <summary>Simulated milliseconds since the start.</summary>
    public long Now { get; private set; }

    /// <summary>Ticks delivered so far.</summary>
    public long Ticks { get; private set; }

    public long Steps { get; private set; }

    /// <summary>Receives a line for each crash, restart, role change and membership change (for reading a replayed seed).</summary>
    public Action<string>? Trace { get; set; }

    internal void Log(string line) => Trace?.Invoke($"t={Now} {line}");

    /// <summary>What the run went through, for the report of a randomized run.</summary>
    public RunStats Stats { get; } = new();

    /// <summary>Ids are never reused: the next new member gets this one.</summary>
    public ulong NextNodeId { get; private set; }

    /// <summary>Every member ever created, by id (sorted, so iteration is reproducible).</summary>
    public IReadOnlyDictionary<ulong, SimNode> Nodes => _nodes;

    public SimNode this[ulong id] => _nodes[id];

    /// <summary>Runs the next event and everything it causes.</summary>
    public void Step()
    {
        if (Net.NextDeliveryAt <= _nextTickAt)
        {
            var env = Net.Dequeue();
            Now = env.DeliverAt;
            Deliver(env);
        }
        else
        {
            Now = _nextTickAt;
            _nextTickAt += Options.TickMs;
            Ticks++;
            foreach (var n in _nodes.Values)
            {
                if (Options.QuiesceEachTick && n.Raw is { Role: RaftRole.Leader } leader && leader.TryQuiesce())
                {
                    continue;
                }

                n.Raw?.Tick();
            }
        }

        DrainReadies();
        Steps++;
        if (Options.CheckInvariants)
        {
            Checker.Check();
        }
    }

    /// <summary>Runs events for <paramref name="ms"/> simulated milliseconds.</summary>
    public void RunFor(long ms)
    {
        var end = Now + ms;
        while (Math.Min(Net.NextDeliveryAt, _nextTickAt) <= end)
        {
            Step();
        }

        Now = end;
    }

    /// <summary>Runs until <paramref name="done"/> holds (checked after every step); false on timeout.</summary>
    public bool RunUntil(Func<bool> done, long maxMs)
    {
        var end = Now + maxMs;
        while (!done())
        {
            if (Math.Min(Net.NextDeliveryAt, _nextTickAt) > end)
            {
                return false;
            }

            Step();
        }

        return true;
    }

    /// <summary>Processes every pending Ready of every running member, until none is left.</summary>
    public void DrainReadies()
    {
        for (var round = 0; ; round++)
        {
            if (round > 10_000)
            {
                throw new SimulationFailure("members keep producing Readies without any event");
            }

            var any = false;
            foreach (var n in _nodes.Values)
            {
                if (n.Raw is { HasReady: true })
                {
                    ProcessReady(n);
                    ShutDownRemoved();
                    any = true;
                }
            }

            if (!any)
            {
                return;
            }
        }
    }

    private void Deliver(Envelope env)
    {
        var m = env.Message;
        var reachable = Net.Reachable(m.From, m.To);
        var target = reachable && _nodes.TryGetValue(m.To, out var n) ? n.Raw : null;
        if (target is not null)
        {
            target.Step(m);
        }

        if (m.Type == MessageType.Snapshot)
        {
            // The transport tells the sender how the snapshot transfer went.
            ReportSnapshot(m.From, m.To, env.SenderIncarnation, target is not null);
        }
    }

    private void ReportSnapshot(ulong from, ulong to, int incarnation, bool ok)
    {
        if (_nodes.TryGetValue(from, out var sender) && sender.Raw is not null && sender.Incarnation == incarnation)
        {
            sender.Raw.ReportSnapshot(to, ok);
        }
    }

    private void Send(SimNode from, Message m)
    {
        if (!Net.Send(m, Now, from.Incarnation, out var unreachable))
        {
            if (m.Type == MessageType.Snapshot)
            {
                ReportSnapshot(m.From, m.To, from.Incarnation, ok: false);
            }
            else if (unreachable && m.Type == MessageType.Append)
            {
                // A real transport notices a broken connection; tell the leader.
                from.Raw?.ReportUnreachable(m.To);
            }
        }
    }

    /// <summary>The running leader with the highest term, if any.</summary>
    public SimNode? Leader
    {
        get
        {
            SimNode? best = null;
            foreach (var n in _nodes.Values)
            {
                if (n.Raw is { Role: RaftRole.Leader } r && (best is null || r.Term > best.Running.Term))
                {
                    best = n;
                }
            }

            return best;
        }
    }

    /// <summary>Running members (not removed).</summary>
    public IEnumerable<SimNode> Running => _nodes.Values.Where(n => n.IsUp);

    public override string ToString() =>
        $"t={Now}ms steps={Steps}: " + string.Join(" | ", _nodes.Values.Where(n => !n.IsRemoved));
}
