using MultiRaft.Grains.Replica;
using MultiRaft.Grains.Router;

namespace MultiRaft.Silo.Cluster;

/// <summary>
/// The meta shard's state machine: the router state. After every applied batch the worker
/// publishes an immutable copy that any thread may read (routing, reconciling, gateways).
/// </summary>
internal sealed class RouterReplicaStateMachine : IReplicaStateMachine
{
    private volatile RouterStateMachine? _published;

    public RouterStateMachine Router { get; private set; } = new();

    /// <summary>The latest published copy; null until the state first arrives.</summary>
    public RouterStateMachine? Published => _published;

    public ulong LastAppliedIndex => Router.LastAppliedIndex;

    public object Apply(ulong index, ReadOnlySpan<byte> payload) => Router.Apply(index, payload);

    public void Skip(ulong index) => Router.Skip(index);

    public ReadOnlyMemory<byte> WriteSnapshot() => Router.WriteSnapshot();

    public void RestoreSnapshot(ReadOnlySpan<byte> data)
    {
        var fresh = new RouterStateMachine();
        fresh.RestoreSnapshot(data);
        Router = fresh;
    }

    public byte[] Digest() => Router.Digest();

    /// <summary>
    /// Called on the worker after every applied batch: publishes a read-only copy for readers.
    /// After a batch of heartbeats alone the copy shares the last one's shard layout (a whole copy
    /// of thousands of shards, several times a second, cost more than everything else an idle silo did).
    /// </summary>
    public void Publish()
    {
        if (Router.State.Silos.Count == 0)
        {
            return;
        }

        _published = Router.ReadOnlyCopy();
    }
}
