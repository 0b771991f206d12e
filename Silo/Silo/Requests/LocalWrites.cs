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
internal sealed class LocalWrites(SiloEngine engine, SiloCluster cluster, SiloOptions options, TimeProvider time) : ILocalWrites
{
    private readonly KvLimits _limits = new(options.MaxKeyBytes, options.MaxValueBytes);
    private readonly TimeSpan _timeout = TimeSpan.FromMilliseconds(options.RequestTimeoutMs);

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
        return engine.Post(shard.ShardId, proposal.Run)
            ? AnswerAsync(proposal, cancellationToken)
            : ValueTask.FromResult<LocalWriteAnswer?>(null);
    }

    private async ValueTask<LocalWriteAnswer?> AnswerAsync(OneShotProposal proposal, CancellationToken cancellationToken)
    {
        ApplyOutcome outcome;
        try
        {
            outcome = await proposal.Outcome.WaitAsync(_timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw proposal.TryAbandon()
                ? new UnavailableException("write: no answer within the request timeout; it was not applied.")
                : new OutcomeUnknownException("write: no final answer within the request timeout; the write may or may not have applied.");
        }

        if (!outcome.Applied)
        {
            return null;
        }

        var result = (KvResult)outcome.Result!;
        return result.Status switch
        {
            KvStatus.Ok => new LocalWriteAnswer(true, result.Version),
            KvStatus.NotFound => new LocalWriteAnswer(false, 0),
            KvStatus.PreconditionFailed => throw new PreconditionFailedException(
                $"write: the condition does not hold (current version {result.Version}).", result.Version),
            _ => throw new MultiRaftException($"write: unexpected result {result.Status}"),
        };
    }
}
