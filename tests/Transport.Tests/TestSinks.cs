using MultiRaft.Raft;

namespace MultiRaft.Transport.Tests;

public sealed record Delivered(string Silo, ulong ShardId, Message Message);

public sealed class RecordingSink : IMessageSink
{
    public Recorder<Delivered> Received { get; } = new();

    /// <summary>Runs on the connection's read loop before a delivery is recorded; a test may hold the loop here.</summary>
    public Action<Delivered>? BeforeRecord { get; set; }

    public void Deliver(string fromSilo, ulong shardId, Message message)
    {
        var delivered = new Delivered(fromSilo, shardId, message);
        BeforeRecord?.Invoke(delivered);
        Received.Add(delivered);
    }
}

public sealed class RecordingReporter : IUnreachableReporter
{
    public Recorder<Delivered> Unreachable { get; } = new();

    public void ReportUnreachable(string toSilo, ulong shardId, Message message) => Unreachable.Add(new(toSilo, shardId, message));
}
