using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Runtime;

/// <summary>
/// What a replica grain asks of its silo: the operations on the silo's member of a shard,
/// run on that member's engine turn. The silo implements it; every answer is final for the
/// grain (the silo applies the deadline and says unknown when a proposed write outlasts it).
/// </summary>
public interface IReplicaOperations
{
    /// <summary>This silo's name.</summary>
    string SiloId { get; }

    /// <summary>Whether this silo hosts replica <paramref name="replicaId"/> of <paramref name="shardId"/> (running, not removed).</summary>
    bool Hosts(ulong shardId, ulong replicaId);

    /// <summary>A read on the member.</summary>
    ValueTask<ClientResponse> GetAsync(ulong shardId, GetRequest request, uint timeoutMs);

    /// <summary>A put or delete proposed on the member.</summary>
    ValueTask<ClientResponse> WriteAsync(ulong shardId, WriteRequest request, uint timeoutMs);

    /// <summary>One shard's part of a scan.</summary>
    ValueTask<ClientResponse> ScanAsync(ulong shardId, ScanRequest request, uint timeoutMs);

    /// <summary>Opens a session on the shard.</summary>
    ValueTask<ClientResponse> OpenSessionAsync(ulong shardId, OpenSessionRequest request, uint timeoutMs);

    /// <summary>Moves the shard's leadership.</summary>
    ValueTask<ClientResponse> TransferLeaderAsync(ulong shardId, TransferLeaderRequest request, uint timeoutMs);

    /// <summary>The member's digest and membership.</summary>
    ValueTask<ClientResponse> DigestAsync(ulong shardId);

    /// <summary>Drains or removes a silo through the router, if this silo's member of shard 0 leads.</summary>
    ValueTask<ClientResponse> ScaleInAsync(ulong shardId, ScaleInRequest request, uint timeoutMs);

    /// <summary>Splits a data shard through the router, if this silo's member of shard 0 leads.</summary>
    ValueTask<ClientResponse> SplitShardAsync(ulong shardId, SplitShardRequest request, uint timeoutMs);
}
