using System.Collections.Concurrent;
using Google.Protobuf;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Client;

// Exactly-once writes: each write holds one session and one sequence for all its retries.
public sealed partial class MultiRaftClient
{
    /// <summary>Idempotency keys remembered per client.</summary>
    internal const int IdempotencyKeyCapacity = 10_000;

    private readonly SessionPool _sessions = new();

    // Shards whose last write here got no final answer (unknown, unavailable, timed out). A new
    // session there is opened by its own proposal until a write is answered again: while a shard
    // cannot commit, that opening fails and the write is never sent (a definite failure), where a
    // first write carrying its session would be sent and end unknown.
    private readonly ConcurrentDictionary<ulong, byte> _shardsInDoubt = new();
    private readonly IdempotencyCache _idempotency = new(IdempotencyKeyCapacity);

    /// <summary>
    /// Sends a write until a final answer (OK, NOT_FOUND, PRECONDITION_FAILED, the last thrown as
    /// <see cref="PreconditionFailedException"/>). Every retry repeats the same session and sequence,
    /// so the state machine applies the write at most once.
    /// </summary>
    private async Task<ClientResponse> WriteAsync(ReadOnlyMemory<byte> key, WriteKind kind, ReadOnlyMemory<byte> value,
        WriteCondition condition, ulong expectedVersion, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var hash = KeyHash.Of(key.Span);
        var wireKey = ByteString.CopyFrom(key.Span);
        var wireValue = ByteString.CopyFrom(value.Span);
        using var call = new CallContext(_options, isWrite: true, cancellationToken);
        WriteSession? session = null;
        Task<WriteSession>? dedicated = null;
        var openedHere = false;
        var byProposal = false;
        var answered = false;
        ulong sequence = 0;
        try
        {
            while (true)
            {
                if (session is null)
                {
                    if (idempotencyKey is not null)
                    {
                        dedicated = _idempotency.GetOrAdd(idempotencyKey, () => OpenDedicatedSessionAsync(hash), out openedHere);
                        session = await dedicated.WaitAsync(call.Token).ConfigureAwait(false);
                        sequence = 1;
                    }
                    else
                    {
                        session = await AcquireSessionAsync(call, hash, byProposal).ConfigureAwait(false);
                        sequence = session.NextSequence();
                    }
                }

                var (sessionId, seq) = (session.SessionId, sequence);
                var response = await RouteAsync(call, ShardSelector.ForHash(hash), shard => new ClientRequest
                {
                    Write = new WriteRequest
                    {
                        Route = RouteOf(shard), Kind = kind, Key = wireKey, Value = wireValue, Condition = condition,
                        ExpectedVersion = expectedVersion, SessionId = sessionId, Sequence = seq,
                    },
                }, "write").ConfigureAwait(false);

                switch (response.Status)
                {
                    case ResponseStatus.SessionExpired:
                        // After an attempt that may have applied, a new session could apply it twice.
                        if (call.MayHaveApplied || (dedicated is not null && !openedHere))
                        {
                            throw new OutcomeUnknownException(
                                "write: the session expired while the write was retried; it may or may not have applied.");
                        }

                        if (dedicated is not null)
                        {
                            _idempotency.Remove(idempotencyKey!, dedicated);
                        }

                        // A shard that refuses to open a client-named id (its client's clock is
                        // behind or far ahead of the shard's) would refuse the next one alike.
                        byProposal |= session.Unopened;
                        _sessionFile?.Forget(session.ShardId, session.SessionId);
                        session = null;
                        continue;

                    case ResponseStatus.StaleRequest:
                        throw new OutcomeUnknownException(
                            "write: the cluster saw a later write of this session first; this one's outcome is unknown.");

                    case ResponseStatus.PreconditionFailed:
                        answered = true;
                        Release(session, dedicated);
                        throw new PreconditionFailedException(
                            $"write: the condition does not hold (current version {response.Version}).", response.Version);

                    default:
                        answered = true;
                        Release(session, dedicated);
                        return response;
                }
            }
        }
        catch (OperationCanceledException) when (call.TimedOut)
        {
            throw call.Timeout("write");
        }
        finally
        {
            if (session is not null)
            {
                if (answered)
                {
                    _shardsInDoubt.TryRemove(session.ShardId, out _);
                }
                else
                {
                    _shardsInDoubt.TryAdd(session.ShardId, 0);
                }
            }
        }
    }

    // A pooled session goes back after a final answer; a dedicated one stays with its key.
    private void Release(WriteSession session, Task<WriteSession>? dedicated)
    {
        if (session.Unopened)
        {
            // Any answer but a refusal means the first write opened it.
            session.Unopened = false;
            _sessionFile?.Add(session.ShardId, session.SessionId);
        }

        if (dedicated is null)
        {
            _sessions.Return(session);
        }
    }

    // A free session of the key's shard, else a client-named one its first write opens (one
    // proposal instead of two), else one opened by its own proposal.
    private Task<WriteSession> AcquireSessionAsync(CallContext call, ulong hash, bool byProposal)
    {
        if (_table is null)
        {
            return AcquireAfterViewAsync(call, hash, byProposal);
        }

        return TryTakeOrName(hash, byProposal, out var session) ? Task.FromResult(session) : OpenSessionAsync(call, hash);
    }

    private async Task<WriteSession> AcquireAfterViewAsync(CallContext call, ulong hash, bool byProposal)
    {
        try
        {
            await GetTableAsync(call).ConfigureAwait(false);
        }
        catch (MultiRaftException)
        {
            // The opening below retries the view within the call's budget.
        }

        return TryTakeOrName(hash, byProposal, out var session) ? session : await OpenSessionAsync(call, hash).ConfigureAwait(false);
    }

    private bool TryTakeOrName(ulong hash, bool byProposal, out WriteSession session)
    {
        session = null!;
        if (_table is not { } table || Resolve(table, ShardSelector.ForHash(hash)) is not { } shard)
        {
            return false;
        }

        if (_sessions.TryTake(shard.ShardId, out session))
        {
            return true;
        }

        if (byProposal || !_options.OpenSessionsWithFirstWrite || _shardsInDoubt.ContainsKey(shard.ShardId))
        {
            return false;
        }

        session = new WriteSession(shard.ShardId, SessionIds.NewClientNamed(DateTimeOffset.UtcNow)) { Unopened = true };
        return true;
    }

    // Shared by every write with one idempotency key, so it runs on its own budget.
    private async Task<WriteSession> OpenDedicatedSessionAsync(ulong hash)
    {
        using var call = new CallContext(_options, isWrite: true, CancellationToken.None);
        try
        {
            return await OpenSessionAsync(call, hash).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (call.TimedOut)
        {
            throw call.Timeout("open session");
        }
    }

    private async Task<WriteSession> OpenSessionAsync(CallContext call, ulong hash)
    {
        // Opening a session applies nothing the caller asked for: its unknown outcomes must not
        // make the write's outcome unknown.
        var mayHaveApplied = call.MayHaveApplied;
        ulong shardId = 0;
        try
        {
            var response = await RouteAsync(call, ShardSelector.ForHash(hash), shard =>
            {
                shardId = shard.ShardId;
                return new ClientRequest { OpenSession = new OpenSessionRequest { Route = RouteOf(shard) } };
            }, "open session").ConfigureAwait(false);
            if (response.Status != ResponseStatus.Ok || response.SessionId == 0)
            {
                throw new MultiRaftException($"open session: unexpected answer {response.Status} {response.Error}");
            }

            _sessionFile?.Add(shardId, response.SessionId);
            return new WriteSession(shardId, response.SessionId);
        }
        catch (OutcomeUnknownException ex) when (!mayHaveApplied)
        {
            // Only the session's opening may have applied; the write itself was never sent.
            throw new UnavailableException($"write: no session opened within the request timeout, so the write was not sent. {ex.Message}", ex);
        }
        finally
        {
            call.MayHaveApplied = mayHaveApplied;
        }
    }
}
