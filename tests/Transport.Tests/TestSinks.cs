using MultiRaft.Raft;

namespace MultiRaft.Transport.Tests;

public sealed record Delivered(string Silo, ulong ShardId, Message Message);

public sealed class RecordingSink : IMessageSink
{
    public Recorder<Delivered> Received { get; } = new();

    public void Deliver(string fromSilo, ulong shardId, Message message) => Received.Add(new(fromSilo, shardId, message));
}

public sealed class RecordingReporter : IUnreachableReporter
{
    public Recorder<Delivered> Unreachable { get; } = new();

    public void ReportUnreachable(string toSilo, ulong shardId, Message message) => Unreachable.Add(new(toSilo, shardId, message));
}
