using System.Collections.Concurrent;
using System.Text;
using MultiRaft.Grains.Interfaces.Protos;
using static MultiRaft.Client.Tests.Scripts;
using Op = MultiRaft.Grains.Interfaces.Protos.ClientRequest.OpOneofCase;

namespace MultiRaft.Client.Tests;

// Exactly-once writes: sessions, sequences, idempotency keys, outcomes that cannot be known.
public sealed class WriteTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("key-1");

    private static ReplicaScript Ok(ulong version) => Reply(ResponseStatus.Ok, r => r.Version = version);

    private static (ulong Session, ulong Sequence) SessionOf(ClientRequest request) =>
        (request.Write.SessionId, request.Write.Sequence);

    [Fact]
    public async Task A_write_answered_only_with_outcome_unknown_ends_unknown_and_every_retry_repeats_its_session_and_sequence()
    {
        var cluster = new FakeCluster(silos: 1);
        var unknown = Reply(ResponseStatus.OutcomeUnknown);
        cluster.Script = InTurn(unknown, unknown, unknown, ReplyAtDeadline(ResponseStatus.OutcomeUnknown));
        await using var client = cluster.NewClient(o => o.RequestTimeout = DeadlineTests.Budget);

        await Assert.ThrowsAsync<OutcomeUnknownException>(
            () => client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(Enumerable.Repeat((100ul, 1ul), 4), cluster.Of(Op.Write).Select(w => SessionOf(w.Request)));
        Assert.Equal(1, cluster.SessionsOpened);
    }

    [Fact]
    public async Task A_write_that_never_reached_a_leader_ends_unavailable()
    {
        var cluster = new FakeCluster(silos: 1);
        var unavailable = Reply(ResponseStatus.Unavailable);
        cluster.Script = InTurn(unavailable, unavailable, ReplyAtDeadline(ResponseStatus.Unavailable));
        await using var client = cluster.NewClient(o => o.RequestTimeout = DeadlineTests.Budget);

        await Assert.ThrowsAsync<UnavailableException>(
            () => client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(Enumerable.Repeat((100ul, 1ul), 3), cluster.Of(Op.Write).Select(w => SessionOf(w.Request)));
    }

    [Fact]
    public async Task A_write_sent_to_a_replica_that_never_answers_ends_unknown()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = NeverAnswer;
        await using var client = cluster.NewClient(o => o.RequestTimeout = DeadlineTests.Budget);

        await Assert.ThrowsAsync<OutcomeUnknownException>(
            () => client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Single(cluster.Of(Op.Write));
    }

    [Fact]
    public async Task Outcome_unknown_then_ok_returns_the_result_of_the_same_session_and_sequence()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = InTurn(Reply(ResponseStatus.OutcomeUnknown), Ok(9));
        await using var client = cluster.NewClient();

        Assert.Equal(9ul, await client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal([(100ul, 1ul), (100ul, 1ul)], cluster.Of(Op.Write).Select(w => SessionOf(w.Request)));
    }

    [Fact]
    public async Task Consecutive_writes_reuse_the_session_with_the_next_sequence()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = Ok(1);
        await using var client = cluster.NewClient();
        var ct = TestContext.Current.CancellationToken;

        await client.PutAsync(Key, Key, cancellationToken: ct);
        await client.DeleteAsync(Key, cancellationToken: ct);
        await client.CompareAndSetAsync(Key, Key, 0, ct);

        Assert.Equal([(100ul, 1ul), (100ul, 2ul), (100ul, 3ul)], cluster.Of(Op.Write).Select(w => SessionOf(w.Request)));
        Assert.Equal(WriteCondition.IfAbsent, cluster.Of(Op.Write)[2].Request.Write.Condition);
        Assert.Equal(1, cluster.SessionsOpened);
    }

    [Fact]
    public async Task An_idempotency_key_reuses_its_session_with_sequence_one()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = Ok(5);
        await using var client = cluster.NewClient();
        var ct = TestContext.Current.CancellationToken;
        var keyed = new WriteOptions { IdempotencyKey = "token-1" };

        var first = await client.PutAsync(Key, Key, keyed, ct);
        var second = await client.PutAsync(Key, Key, keyed, ct);
        await client.PutAsync(Key, Key, cancellationToken: ct);

        Assert.Equal((5ul, 5ul), (first, second));
        Assert.Equal([(100ul, 1ul), (100ul, 1ul), (101ul, 1ul)], cluster.Of(Op.Write).Select(w => SessionOf(w.Request)));
        Assert.Equal(2, cluster.SessionsOpened);
    }

    [Fact]
    public async Task A_caller_retrying_an_unknown_write_with_its_idempotency_key_repeats_its_session_and_sequence()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = InTurn(Lose, Lose, ReplyAtDeadline(ResponseStatus.Unavailable), Ok(8));
        await using var client = cluster.NewClient(o => o.RequestTimeout = DeadlineTests.Budget);
        var ct = TestContext.Current.CancellationToken;
        var keyed = new WriteOptions { IdempotencyKey = "token-1" };

        await Assert.ThrowsAsync<OutcomeUnknownException>(() => client.PutAsync(Key, Key, keyed, ct));
        Assert.Equal(8ul, await client.PutAsync(Key, Key, keyed, ct));

        Assert.Equal(Enumerable.Repeat((100ul, 1ul), 4), cluster.Of(Op.Write).Select(w => SessionOf(w.Request)));
        Assert.Equal(1, cluster.SessionsOpened);
    }

    [Fact]
    public async Task A_session_expired_on_a_first_attempt_opens_a_new_session()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = InTurn(Reply(ResponseStatus.SessionExpired), Ok(3));
        await using var client = cluster.NewClient();

        Assert.Equal(3ul, await client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal([(100ul, 1ul), (101ul, 1ul)], cluster.Of(Op.Write).Select(w => SessionOf(w.Request)));
    }

    [Fact]
    public async Task A_session_expired_on_a_retry_is_an_unknown_outcome()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = InTurn(Reply(ResponseStatus.OutcomeUnknown), Reply(ResponseStatus.SessionExpired));
        await using var client = cluster.NewClient();

        await Assert.ThrowsAsync<OutcomeUnknownException>(
            () => client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal([(100ul, 1ul), (100ul, 1ul)], cluster.Of(Op.Write).Select(w => SessionOf(w.Request)));
        Assert.Equal(1, cluster.SessionsOpened);
    }

    [Fact]
    public async Task A_stale_request_answer_is_an_unknown_outcome()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = Reply(ResponseStatus.StaleRequest);
        await using var client = cluster.NewClient();

        await Assert.ThrowsAsync<OutcomeUnknownException>(
            () => client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Single(cluster.Of(Op.Write));
    }

    [Fact]
    public async Task The_session_pool_never_runs_two_writes_on_one_session_at_once()
    {
        const int writers = 6;
        var cluster = new FakeCluster(silos: 1);
        var busy = new ConcurrentDictionary<ulong, byte>();
        var overlaps = 0;
        // Both rounds hold every write until all of the round's writers have arrived: the
        // in-memory channel answers synchronously, so without the gate a round would run one
        // write after another and never contend for sessions.
        TaskCompletionSource[] gates = [new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously)];
        TaskCompletionSource[] allArrived = [new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously)];
        var arrived = 0;
        cluster.Script = async (_, request, _) =>
        {
            if (!busy.TryAdd(request.Write.SessionId, 0))
            {
                Interlocked.Increment(ref overlaps);
            }

            var n = Interlocked.Increment(ref arrived);
            var round = (n - 1) / writers;
            if (n % writers == 0)
            {
                allArrived[round].TrySetResult();
            }

            await gates[round].Task;
            busy.TryRemove(request.Write.SessionId, out _);
            return new ClientResponse { Status = ResponseStatus.Ok, Version = 1 };
        };
        await using var client = cluster.NewClient();
        var ct = TestContext.Current.CancellationToken;

        for (var round = 0; round < 2; round++)
        {
            var puts = Enumerable.Range(0, writers).Select(_ => client.PutAsync(Key, Key, cancellationToken: ct)).ToArray();
            await allArrived[round].Task.WaitAsync(Timeouts.Guard, ct);
            gates[round].SetResult();
            await Task.WhenAll(puts).WaitAsync(Timeouts.Guard, ct);
        }

        Assert.Equal(0, overlaps);
        Assert.Equal(writers, cluster.SessionsOpened);
        var writes = cluster.Of(Op.Write).Select(w => SessionOf(w.Request)).ToList();
        Assert.Equal(Enumerable.Range(100, writers).Select(s => (ulong)s).Order(), writes.Take(writers).Select(w => w.Session).Order());
        Assert.All(writes.Take(writers), w => Assert.Equal(1ul, w.Sequence));
        Assert.Equal(Enumerable.Range(100, writers).Select(s => (ulong)s).Order(), writes.Skip(writers).Select(w => w.Session).Order());
        Assert.All(writes.Skip(writers), w => Assert.Equal(2ul, w.Sequence));
    }
}
