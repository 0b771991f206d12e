using Orleans.Concurrency;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Interfaces;

/// <summary>
/// One member of a shard's Raft group, keyed <see cref="GrainKeys.Replica"/> and living only on
/// its home silo. Operations route to the shard's leader: a member that does not lead answers
/// <c>NOT_LEADER</c> with a hint. Every answer is a <see cref="ClientResponse"/> whose status
/// says whether a write applied, did not, or may have (<c>OUTCOME_UNKNOWN</c>).
/// Each <c>timeoutMs</c> bounds the wait on the silo (0 = the silo's default).
/// </summary>
public interface IReplicaGrain : IGrainWithStringKey
{
    /// <summary>Reads a key (linearizable through ReadIndex on the leader, or stale from this member).</summary>
    [AlwaysInterleave]
    Task<ClientResponse> Get(GetRequest request, uint timeoutMs);

    /// <summary>Proposes a put or delete and answers once it applied.</summary>
    [AlwaysInterleave]
    Task<ClientResponse> Write(WriteRequest request, uint timeoutMs);

    /// <summary>One shard's part of an ordered scan.</summary>
    [AlwaysInterleave]
    Task<ClientResponse> Scan(ScanRequest request, uint timeoutMs);

    /// <summary>Opens an exactly-once session on the shard; the answer's session id names it.</summary>
    [AlwaysInterleave]
    Task<ClientResponse> OpenSession(OpenSessionRequest request, uint timeoutMs);

    /// <summary>Moves the shard's leadership to its member on another silo; answers once that member leads.</summary>
    [AlwaysInterleave]
    Task<ClientResponse> TransferLeader(TransferLeaderRequest request, uint timeoutMs);

    /// <summary>On the meta shard (0): drains a silo or removes a drained one through the router; answers once the router applied it.</summary>
    [AlwaysInterleave]
    Task<ClientResponse> ScaleIn(ScaleInRequest request, uint timeoutMs);

    /// <summary>On the meta shard (0): splits a data shard through the router; answers once the router applied it.</summary>
    [AlwaysInterleave]
    Task<ClientResponse> SplitShard(SplitShardRequest request, uint timeoutMs);

    /// <summary>This member's state digest (value), applied index (version) and Raft membership (shard).</summary>
    [AlwaysInterleave]
    Task<ClientResponse> Digest();

    /// <summary>Activates the member (the silo calls it for each replica it hosts); true if this silo hosts it.</summary>
    [AlwaysInterleave]
    Task<bool> Activate();
}
