using MultiRaft.Raft;

namespace MultiRaft.Raft.Bench;

/// <summary>
/// A group of members on in-memory storage and a perfect in-memory network, all on one thread:
/// the cost of consensus itself, with no I/O.
/// </summary>
internal sealed class InMemoryGroup
{
    private readonly RawNode[] _nodes;
    private readonly MemoryStorage[] _storages;
    private readonly Queue<Message> _wire = new();
    private readonly ulong[] _ids;

    public InMemoryGroup(int size, Func<RaftConfig, RaftConfig>? configure = null)
    {
        _ids = Enumerable.Range(1, size).Select(i => (ulong)i).ToArray();
        _storages = new MemoryStorage[size];
        _nodes = new RawNode[size];
        for (var i = 0; i < size; i++)
        {
            _storages[i] = new MemoryStorage(new ConfState(_ids));
            var cfg = new RaftConfig { Id = _ids[i], Storage = _storages[i], Random = new Random(i + 1) };
            _nodes[i] = new RawNode(configure?.Invoke(cfg) ?? cfg);
        }
    }

    public RawNode Leader => _nodes.First(n => n.Role == RaftRole.Leader);

    public long AppliedEntries { get; private set; }

    public long AppliedBytes { get; private set; }

    /// <summary>Elects member 1 and settles.</summary>
    public void Elect()
    {
        _nodes[0].Campaign();
        Settle();
        if (_nodes[0].Role != RaftRole.Leader)
        {
            throw new InvalidOperationException("member 1 did not become leader");
        }
    }

    /// <summary>Processes every Ready and delivers every message until nothing is left to do.</summary>
    public void Settle()
    {
        bool busy;
        do
        {
            busy = false;
            for (var i = 0; i < _nodes.Length; i++)
            {
                var n = _nodes[i];
                if (!n.HasReady)
                {
                    continue;
                }

                busy = true;
                Process(i, n.GetReady());
                n.Advance();
            }

            while (_wire.TryDequeue(out var m))
            {
                busy = true;
                _nodes[(int)m.To - 1].Step(m);
            }
        }
        while (busy);
    }

    private void Process(int i, Ready rd)
    {
        var st = _storages[i];
        foreach (var m in rd.Messages)
        {
            _wire.Enqueue(m);
        }

        if (rd.HardState is { } hs)
        {
            st.SetHardState(hs);
        }

        st.Append(rd.Entries);
        foreach (var m in rd.PersistedMessages)
        {
            _wire.Enqueue(m);
        }

        var committed = rd.CommittedEntries;
        if (i == 0)
        {
            foreach (ref readonly var e in committed)
            {
                if (e.Data.Length > 0)
                {
                    AppliedEntries++;
                    AppliedBytes += e.Data.Length;
                }
            }
        }

        // Keep memory bounded the way a real member would: compact what is applied.
        if (committed.Length > 0)
        {
            var applied = committed[^1].Index;
            if (applied - st.FirstIndex > 8192)
            {
                st.Compact(applied - 1024);
            }
        }
    }
}
