namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>
/// The network between members: every message gets a delivery time (so messages reorder), and
/// may be dropped or duplicated. Partitions split members into groups; a cut blocks one direction
/// between two members. Reachability is checked when a message is sent and again when it
/// arrives. All randomness comes from the cluster's one generator.
/// </summary>
public sealed class SimNetwork
{
    private readonly Random _rng;
    private readonly PriorityQueue<Envelope, (long At, long Seq)> _queue = new();
    private readonly Dictionary<ulong, int> _group = [];
    private readonly HashSet<(ulong From, ulong To)> _cuts = [];
    private long _seq;

    public SimNetwork(Random rng, int minDelayMs, int maxDelayMs)
    {
        _rng = rng;
        MinDelayMs = minDelayMs;
        MaxDelayMs = maxDelayMs;
    }

    public NetworkStats Stats { get; } = new();

    /// <summary>Probability that a message is lost.</summary>
    public double DropRate { get; set; }

    /// <summary>Probability that a message is delivered twice.</summary>
    public double DuplicateRate { get; set; }

    public int MinDelayMs { get; set; }

    public int MaxDelayMs { get; set; }

    /// <summary>Probability that a message is held back for a long delay instead.</summary>
    public double LongDelayRate { get; set; }

    public int LongDelayMs { get; set; } = 500;

    /// <summary>Messages are recorded here when set (for tests that inspect traffic).</summary>
    public List<Message>? Recorder { get; set; }

    /// <summary>Drops messages matching this filter (for scripted scenarios).</summary>
    public Func<Message, bool>? DropFilter { get; set; }

    public int InFlight => _queue.Count;

    public bool IsPartitioned => _group.Count > 0 || _cuts.Count > 0;

    /// <summary>Splits the members into groups; members not named form one more group.</summary>
    public void Partition(params IReadOnlyList<ulong>[] groups)
    {
        _group.Clear();
        for (var g = 0; g < groups.Length; g++)
        {
            foreach (var id in groups[g])
            {
                _group[id] = g + 1;
            }
        }
    }

    /// <summary>Cuts one member off from everyone.</summary>
    public void Isolate(ulong id)
    {
        var g = _group.Count == 0 ? 1 : _group.Values.Max() + 1;
        _group[id] = g;
    }

    /// <summary>Blocks messages from <paramref name="from"/> to <paramref name="to"/> only.</summary>
    public void Cut(ulong from, ulong to) => _cuts.Add((from, to));

    public void Heal()
    {
        _group.Clear();
        _cuts.Clear();
    }

    public bool Reachable(ulong from, ulong to) =>
        GroupOf(from) == GroupOf(to) && !_cuts.Contains((from, to));

    private int GroupOf(ulong id) => _group.TryGetValue(id, out var g) ? g : 0;

    /// <summary>Queues a message; false when it was lost at once (unreachable or dropped).</summary>
    public bool Send(Message m, long now, int senderIncarnation, out bool unreachable)
    {
        Stats.OnSend(m);
        Recorder?.Add(m);
        unreachable = !Reachable(m.From, m.To);
        if (unreachable || (DropFilter?.Invoke(m) ?? false) || (DropRate > 0 && _rng.NextDouble() < DropRate))
        {
            Stats.OnDrop();
            return false;
        }

        Enqueue(m, now, senderIncarnation);
        if (DuplicateRate > 0 && _rng.NextDouble() < DuplicateRate)
        {
            Stats.OnDuplicate();
            Enqueue(m, now, senderIncarnation);
        }

        return true;
    }

    private void Enqueue(Message m, long now, int senderIncarnation)
    {
        long delay = LongDelayRate > 0 && _rng.NextDouble() < LongDelayRate
            ? _rng.Next(LongDelayMs / 2, LongDelayMs + 1)
            : _rng.Next(MinDelayMs, MaxDelayMs + 1);
        var at = now + delay;
        _queue.Enqueue(new Envelope(m, at, senderIncarnation), (at, _seq++));
    }

    /// <summary>The delivery time of the next message, or long.MaxValue.</summary>
    public long NextDeliveryAt => _queue.TryPeek(out var e, out _) ? e.DeliverAt : long.MaxValue;

    public Envelope Dequeue() => _queue.Dequeue();

    /// <summary>Drops everything in flight.</summary>
    public void Clear() => _queue.Clear();
}
