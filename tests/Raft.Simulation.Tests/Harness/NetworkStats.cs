namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>What the network carried: messages by type and entry payload bytes.</summary>
public sealed class NetworkStats
{
    private readonly long[] _byType = new long[32];

    public long Messages { get; private set; }

    /// <summary>Client payload bytes carried in entries of append messages.</summary>
    public long EntryPayloadBytes { get; private set; }

    public long Dropped { get; private set; }

    public long Duplicated { get; private set; }

    public long Count(MessageType t) => _byType[(int)t];

    public void Reset()
    {
        Array.Clear(_byType);
        Messages = 0;
        EntryPayloadBytes = 0;
        Dropped = 0;
        Duplicated = 0;
    }

    internal void OnSend(Message m)
    {
        Messages++;
        _byType[(int)m.Type]++;
        foreach (var e in m.Entries)
        {
            EntryPayloadBytes += e.Data.Length;
        }
    }

    internal void OnDrop() => Dropped++;

    internal void OnDuplicate() => Duplicated++;
}
