using MultiRaft.Client;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Kv;
using MultiRaft.Grains.Replica;
using MultiRaft.Http;
using MultiRaft.Silo.Cluster;
using MultiRaft.Silo.Engine;
using MultiRaft.Silo.Hosting;

namespace MultiRaft.Silo.Requests;

/// <summary>
/// The HTTP API's shortcut for writes whose shard this silo leads: one proposal on the local
/// leader, without the embedded client's routing, session and retry layers (a third of a write's
/// cost on the leader's silo). Without a session the write is proposed at most once, and handed
/// back to the client only when it certainly did not apply.
/// </summary>
/// <remarks>
/// The wait is bounded by the request timeout, not by <c>cancellationToken</c>: a write once
/// proposed may apply whether or not its requester is still there.
/// </remarks>
internal sealed class LocalWrites(SiloEngine engine, SiloCluster cluster, SiloOptions options, TimeProvider time) : ILocalWrites, IDisposable
{
    private readonly KvLimits _limits = new(options.MaxKeyBytes, options.MaxValueBytes);
    private readonly WriteDeadlines _deadlines = new(TimeSpan.FromMilliseconds(options.RequestTimeoutMs), time);

    public void Dispose() => _deadlines.Dispose();

    public ValueTask<LocalWriteAnswer?> TryWriteAsync(byte[] key, byte[]? value, WriteOptions write, CancellationToken cancellationToken)
    {
        if (write.IdempotencyKey is not null || cluster.View?.FindShardByKey(key) is not { } shard || !engine.Leads(shard.ShardId))
        {
            return ValueTask.FromResult<LocalWriteAnswer?>(null);
        }

        var (condition, expected) = write.ToWireCondition();
        var command = WriteCommands.Of(value is null ? WriteKind.Delete : WriteKind.Put, condition, expected, 0, 0, key, value, _limits);
        var payload = CommandCodec.Encode(command);
        CommandCodec.StampTimestamp(payload, time.GetUtcNow().ToUnixTimeMilliseconds());
        var proposal = new OneShotProposal(payload);
        var deadline = _deadlines.Track(proposal);
        if (engine.Post(shard.ShardId, proposal.Run))
        {
            return AnswerAsync(proposal, deadline);
        }

        _deadlines.Forget(deadline);
        return ValueTask.FromResult<LocalWriteAnswer?>(null);
    }

    private async ValueTask<LocalWriteAnswer?> AnswerAsync(OneShotProposal proposal,
        LinkedListNode<(OneShotProposal Proposal, long Deadline)> deadline)
    {
        ApplyOutcome outcome;
        try
        {
            outcome = await proposal.Outcome.ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw proposal.TryAbandon()
                ? new UnavailableException("write: no answer within the request timeout; it was not applied.")
                : new OutcomeUnknownException("write: no final answer within the request timeout; the write may or may not have applied.");
        }
        finally
        {
            _deadlines.Forget(deadline);
        }

        if (!outcome.Applied)
        {
            return null;
        }

        var result = (KvResult)outcome.Result!;
        return result.Status switch
        {
            // A split applied before it moved the key away: certainly not applied; the client routes it anew.
            KvStatus.WrongShard => null,
            KvStatus.Ok => new LocalWriteAnswer(true, result.Version),
            KvStatus.NotFound => new LocalWriteAnswer(false, 0),
            KvStatus.PreconditionFailed => throw new PreconditionFailedException(
                $"write: the condition does not hold (current version {result.Version}).", result.Version),
            _ => throw new MultiRaftException($"write: unexpected result {result.Status}"),
        };
    }
}
