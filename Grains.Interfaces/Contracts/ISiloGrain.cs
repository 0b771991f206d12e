using Orleans.Concurrency;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Interfaces;

/// <summary>
/// A silo's own endpoint in the grain space, keyed by the silo's name and pinned to it: the
/// inbox of the Raft traffic sent to the silo's replicas, the door a joining silo knocks on, and
/// the way in for clients' reads and writes to its replicas.
/// </summary>
public interface ISiloGrain : IGrainWithStringKey
{
    /// <summary>
    /// Raft messages for this silo's replicas: a <see cref="MessageBatch"/>, encoded, carrying every
    /// shard's messages of one engine turn of the sender. One way: Raft tolerates loss, and a
    /// reply could make two silos wait on each other.
    /// </summary>
    [OneWay, AlwaysInterleave]
    Task Deliver(byte[] batch);

    /// <summary>
    /// One piece of a snapshot message too large to send whole: a <see cref="SnapshotChunk"/>,
    /// encoded. One way, like <see cref="Deliver"/>: a lost piece drops the snapshot, which Raft sends again.
    /// </summary>
    [OneWay, AlwaysInterleave]
    Task DeliverChunk(byte[] chunk);

    /// <summary>
    /// Registers a silo with the router; answered here only if this silo's router replica leads
    /// (else <c>NOT_LEADER</c> with the leader's silo). OK carries the cluster view.
    /// <paramref name="emptyStorage"/>: the silo holds no replica (it joins, perhaps with a wiped disk).
    /// </summary>
    [AlwaysInterleave]
    Task<ClientResponse> Register(SiloInfo joining, uint timeoutMs, bool emptyStorage);

    /// <summary>
    /// A get, write, scan or session opening for this silo's replica <paramref name="replicaId"/>
    /// of shard <paramref name="shardId"/>, answered as that replica's grain (<see cref="IReplicaGrain"/>)
    /// answers it, within <see cref="ClientRequest.TimeoutMs"/>. One grain per silo: a client's
    /// first call to each of thousands of shards no longer resolves a replica grain through the
    /// Orleans directory, and a replica written to keeps no activation of its own.
    /// </summary>
    [AlwaysInterleave]
    Task<ClientResponse> Serve(ulong shardId, ulong replicaId, ClientRequest request);
}
