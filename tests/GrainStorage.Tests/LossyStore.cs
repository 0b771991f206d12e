using Google.Protobuf;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.GrainStorage.Tests;

/// <summary>What happens to the next write the <see cref="LossyStore"/> receives.</summary>
public enum NextWrite
{
    /// <summary>Applied and answered.</summary>
    Answered,

    /// <summary>Applied, but the answer is lost: the client cannot tell whether it applied.</summary>
    AppliedAnswerLost,

    /// <summary>Not applied, and no answer either: the client cannot tell.</summary>
    NotAppliedAnswerLost,
}

/// <summary>
/// A one-shard store behind <see cref="IGrainChannel"/>, in memory, with the store's conditional
/// writes and versions (one counter for all keys, as log indexes are), whose next write can lose
/// its answer. A lost answer comes back as STALE_REQUEST, which the client reports at once as an
/// unknown outcome.
/// </summary>
public sealed class LossyStore : IGrainChannel
{
    private readonly Dictionary<ByteString, (ByteString Value, ulong Version)> _items = [];
    private readonly Lock _lock = new();
    private ulong _lastVersion = 100;

    public NextWrite NextWrite { get; set; }

    public int Writes { get; private set; }

    public MultiRaftClient NewClient() => new(new MultiRaftClientOptions(), this);

    public ValueTask<ClientResponse> GetViewAsync(CancellationToken cancellationToken)
    {
        var view = new ClusterView { ClusterId = "lossy", RouterAppliedIndex = 1, ServedBy = "silo-a" };
        view.Silos.Add(new SiloInfo { SiloId = "silo-a", Status = SiloStatus.Active });
        foreach (var (id, end) in new[] { (0UL, 0UL), (1UL, KeyHash.SpaceEnd) })
        {
            var shard = new ShardDescriptor { ShardId = id, HashStart = 0, HashEnd = end, Epoch = new ShardEpoch { ConfVer = 1, RangeVer = 1 } };
            shard.Replicas.Add(new ReplicaDescriptor { ReplicaId = id + 1, SiloId = "silo-a", Role = ReplicaRole.Voter });
            view.Shards.Add(shard);
            view.Leaders.Add(new LeaderHint { ShardId = id, ReplicaId = id + 1, SiloId = "silo-a", Term = 1 });
        }

        return new(new ClientResponse { Status = ResponseStatus.Ok, Cluster = view });
    }

    public ValueTask<ClientResponse> SendAsync(ReplicaAddress target, ClientRequest request, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return new(request.OpCase switch
            {
                ClientRequest.OpOneofCase.OpenSession => new ClientResponse { Status = ResponseStatus.Ok, SessionId = ++_lastVersion },
                ClientRequest.OpOneofCase.Get => _items.TryGetValue(request.Get.Key, out var item)
                    ? new ClientResponse { Status = ResponseStatus.Ok, Value = item.Value, Version = item.Version }
                    : new ClientResponse { Status = ResponseStatus.NotFound },
                ClientRequest.OpOneofCase.Write => Write(request.Write),
                _ => new ClientResponse { Status = ResponseStatus.BadRequest, Error = $"not scripted: {request.OpCase}" },
            });
        }
    }

    private ClientResponse Write(WriteRequest write)
    {
        Writes++;
        var fate = NextWrite;
        NextWrite = NextWrite.Answered;
        if (fate == NextWrite.NotAppliedAnswerLost)
        {
            return new ClientResponse { Status = ResponseStatus.StaleRequest };
        }

        var current = _items.TryGetValue(write.Key, out var item) ? item.Version : 0;
        var holds = write.Condition switch
        {
            WriteCondition.IfAbsent => current == 0,
            WriteCondition.IfVersion => current == write.ExpectedVersion,
            _ => true,
        };
        ClientResponse answer;
        if (!holds)
        {
            answer = new ClientResponse { Status = ResponseStatus.PreconditionFailed, Version = current };
        }
        else if (write.Kind == WriteKind.Delete)
        {
            answer = _items.Remove(write.Key) ? new ClientResponse { Status = ResponseStatus.Ok, Version = current } : new ClientResponse { Status = ResponseStatus.NotFound };
        }
        else
        {
            _items[write.Key] = (write.Value, ++_lastVersion);
            answer = new ClientResponse { Status = ResponseStatus.Ok, Version = _lastVersion };
        }

        return fate == NextWrite.AppliedAnswerLost ? new ClientResponse { Status = ResponseStatus.StaleRequest } : answer;
    }
}
