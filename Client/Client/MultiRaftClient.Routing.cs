using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Client;

// The retry loop every routed request goes through.
public sealed partial class MultiRaftClient
{
    private int _replicaCursor;

    /// <summary>
    /// Sends the request <paramref name="build"/> makes for the selected shard to its leader,
    /// following not-leader and stale-epoch answers and retrying retryable ones with backoff until
    /// a final answer or the call's deadline. Returns OK, NOT_FOUND, PRECONDITION_FAILED,
    /// SESSION_EXPIRED and STALE_REQUEST answers (the last two for the write path to judge).
    /// </summary>
    private async Task<ClientResponse> RouteAsync(CallContext call, ShardSelector selector,
        Func<ShardDescriptor, ClientRequest> build, string what)
    {
        var immediate = 0;
        var missingRefreshed = false;
        while (true)
        {
            var sending = false;
            try
            {
                var table = await GetTableAsync(call).ConfigureAwait(false);
                var shard = Resolve(table, selector);
                if (shard is null)
                {
                    if (selector.ShardId is { } id && missingRefreshed)
                    {
                        throw new NotFoundException($"Shard {id} does not exist.");
                    }

                    if (missingRefreshed)
                    {
                        await call.Backoff.WaitAsync(call.Token).ConfigureAwait(false);
                    }

                    missingRefreshed = true;
                    call.LastError = "no shard for the request in the cluster view";
                    await RefreshAsync(call).ConfigureAwait(false);
                    continue;
                }

                if (PickTarget(table, shard, call) is not { } target)
                {
                    call.LastError = $"no live silo hosts shard {shard.ShardId}";
                    await call.Backoff.WaitAsync(call.Token).ConfigureAwait(false);
                    await RefreshAsync(call).ConfigureAwait(false);
                    continue;
                }

                var silo = target.SiloId;
                var request = build(shard);
                request.TimeoutMs = Math.Min(call.RemainingMs, _attemptMs);
                ClientResponse response;
                sending = true;
                // The silo answers by its deadline; past it and a grace, the attempt is given up.
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(call.Token);
                attempt.CancelAfter(TimeSpan.FromMilliseconds(request.TimeoutMs) + AttemptGrace);
                try
                {
                    response = await _channel.SendAsync(target, request, attempt.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is ReplicaUnreachableException
                                           || (ex is OperationCanceledException && attempt.IsCancellationRequested && !call.Token.IsCancellationRequested))
                {
                    sending = false;
                    call.MayHaveApplied |= call.IsWrite && ex is not ReplicaUnreachableException { MayHaveArrived: false };
                    call.LastError = ex is ReplicaUnreachableException ? ex.Message : $"{silo} gave no answer within {request.TimeoutMs} ms";
                    call.Avoid.Add(silo);
                    ForgetLeader(shard.ShardId, silo);
                    await call.Backoff.WaitAsync(call.Token).ConfigureAwait(false);
                    continue;
                }

                sending = false;
                call.LastError = $"{silo} answered {response.Status} {response.Error}".TrimEnd();
                switch (response.Status)
                {
                    case ResponseStatus.Ok:
                    case ResponseStatus.NotFound:
                    case ResponseStatus.PreconditionFailed:
                    case ResponseStatus.SessionExpired:
                    case ResponseStatus.StaleRequest:
                        return response;

                    case ResponseStatus.NotLeader:
                        if (response.Leader is { SiloId.Length: > 0 } hint && hint.SiloId != silo)
                        {
                            LearnLeader(shard.ShardId, hint);
                            call.Avoid.Remove(hint.SiloId);
                            // Two members pointing at each other must not spin: past a round of
                            // the group, follow hints only after a pause.
                            if (table.IsLive(hint.SiloId) && immediate++ <= shard.Replicas.Count)
                            {
                                continue;
                            }

                            if (!table.IsLive(hint.SiloId))
                            {
                                await RefreshAsync(call).ConfigureAwait(false);
                            }
                        }
                        else
                        {
                            ForgetLeader(shard.ShardId, silo);
                            call.Avoid.Add(silo);
                        }

                        await call.Backoff.WaitAsync(call.Token).ConfigureAwait(false);
                        continue;

                    case ResponseStatus.StaleEpoch:
                    case ResponseStatus.ShardNotFound:
                        if (response.Shard is { } newer)
                        {
                            LearnShard(newer);
                        }

                        if (response.Status == ResponseStatus.ShardNotFound)
                        {
                            ForgetLeader(shard.ShardId, silo);
                            call.Avoid.Add(silo);
                        }

                        if (immediate++ > 0)
                        {
                            await call.Backoff.WaitAsync(call.Token).ConfigureAwait(false);
                        }

                        await RefreshAsync(call).ConfigureAwait(false);
                        continue;

                    case ResponseStatus.Unavailable:
                        call.Avoid.Add(silo);
                        await call.Backoff.WaitAsync(call.Token).ConfigureAwait(false);
                        continue;

                    case ResponseStatus.OutcomeUnknown:
                        call.MayHaveApplied |= call.IsWrite;
                        await call.Backoff.WaitAsync(call.Token).ConfigureAwait(false);
                        continue;

                    case ResponseStatus.BadRequest:
                        throw new BadRequestException($"{what}: {response.Error}");

                    case ResponseStatus.TooLarge:
                        throw new BadRequestException($"{what}: {response.Error}", isTooLarge: true);

                    case ResponseStatus.UnknownSilo:
                        throw new NotFoundException($"{what}: {response.Error}");

                    default:
                        // Internal errors and statuses this build does not know: the write may
                        // have been proposed, so a write's outcome becomes unknown.
                        call.MayHaveApplied |= call.IsWrite;
                        call.Avoid.Add(silo);
                        await call.Backoff.WaitAsync(call.Token).ConfigureAwait(false);
                        continue;
                }
            }
            catch (OperationCanceledException) when (call.TimedOut)
            {
                call.MayHaveApplied |= call.IsWrite && sending;
                throw call.Timeout(what);
            }
            catch (ReplicaUnreachableException ex)
            {
                // No silo gave the cluster view: wait and ask again.
                call.LastError = ex.Message;
                try
                {
                    await call.Backoff.WaitAsync(call.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (call.TimedOut)
                {
                    throw call.Timeout(what);
                }
            }
        }
    }

    private static ShardRoute RouteOf(ShardDescriptor shard) =>
        new() { ShardId = shard.ShardId, Epoch = shard.Epoch?.Clone() ?? new ShardEpoch() };
}
