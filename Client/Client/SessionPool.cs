using System.Collections.Concurrent;

namespace MultiRaft.Client;

/// <summary>Free sessions per shard. A write takes one and gives it back after a final answer.</summary>
internal sealed class SessionPool
{
    private readonly ConcurrentDictionary<ulong, ConcurrentStack<WriteSession>> _free = new();

    public bool TryTake(ulong shardId, out WriteSession session)
    {
        session = null!;
        return _free.TryGetValue(shardId, out var stack) && stack.TryPop(out session!);
    }

    public void Return(WriteSession session) =>
        _free.GetOrAdd(session.ShardId, _ => new ConcurrentStack<WriteSession>()).Push(session);
}
