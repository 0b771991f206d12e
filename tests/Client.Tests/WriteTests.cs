using System.Collections.Concurrent;
using System.Text;
using MultiRaft.Grains.Interfaces.Protos;
using Op = MultiRaft.Grains.Interfaces.Protos.ClientRequest.OpOneofCase;

namespace MultiRaft.Client.Tests;

// Exactly-once writes: sessions, sequences, idempotency keys, outcomes that cannot be known.
public sealed class WriteTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("key-1");

    private static Task<ClientResponse> Answer(ResponseStatus status, ulong version = 0) =>
        Task.FromResult(new ClientResponse { Status = status, Version = version });

    private static (ulong Session, ulong Sequence) SessionOf(ClientRequest request) =>
        (request.Write.SessionId, request.Write.Sequence);

    [Fact]
    public async Task A_write_answered_only_with_outcome_unknown_ends_unknown_and_every_retry_repeats_its_session_and_sequence()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 1);
        cluster.Script = (_, _, _) => Answer(ResponseStatus.OutcomeUnknown);
        await using var client = cluster.NewClient(o => o.RequestTimeout = DeadlineTests.Budget);

        await Assert.ThrowsAsync<OutcomeUnknownException>(
            () => client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));

        var writes = cluster.Of(Op.Write);
        Assert.True(writes.Count >= 2, $"only {writes.Count} attempts");
        Assert.All(writes, w => Assert.Equal((100ul, 1ul), SessionOf(w.Request)));
        Assert.Equal(1, cluster.SessionsOpened);
    }

    [Fact]
    public async Task A_write_that_never_reached_a_leader_ends_unavailable()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 1);
        cluster.Script = (_, _, _) => Answer(ResponseStatus.Unavailable);
        // The first backoff (at least half of 5 s) outlasts the deadline, so the deadline passes
        // while no attempt is in flight: a deadline during an attempt would make the outcome unknown.
        await using var client = cluster.NewClient(o =>
        {
            o.RequestTimeout = TimeSpan.FromSeconds(1);
            o.InitialRetryDelay = TimeSpan.FromSeconds(5);
            o.MaxRetryDelay = TimeSpan.FromSeconds(5);
        });

        await Assert.ThrowsAsync<UnavailableException>(
            () => client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal([(100ul, 1ul)], cluster.Of(Op.Write).Select(w => SessionOf(w.Request)));
    }

    [Fact]
    public async Task A_write_sent_to_a_gateway_that_never_answers_ends_unknown()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 1);
        cluster.Script = async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return new ClientResponse();
        };
        await using var client = cluster.NewClient(o => o.RequestTimeout = DeadlineTests.Budget);

        await Assert.ThrowsAsync<OutcomeUnknownException>(
            () => client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Outcome_unknown_then_ok_returns_the_result_of_the_same_session_and_sequence()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 1);
        var calls = 0;
        cluster.Script = (_, _, _) => Interlocked.Increment(ref calls) == 1 ? Answer(ResponseStatus.OutcomeUnknown) : Answer(ResponseStatus.Ok, 9);
        await using var client = cluster.NewClient();

        Assert.Equal(9ul, await client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal([(100ul, 1ul), (100ul, 1ul)], cluster.Of(Op.Write).Select(w => SessionOf(w.Request)));
    }

    [Fact]
    public async Task Consecutive_writes_reuse_the_session_with_the_next_sequence()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 1);
        cluster.Script = (_, _, _) => Answer(ResponseStatus.Ok, 1);
        await using var client = cluster.NewClient();
        var ct = TestContext.Current.CancellationToken;

        await client.PutAsync(Key, Key, cancellationToken: ct);
        await client.DeleteAsync(Key, cancellationToken: ct);
        await client.CompareAndSetAsync(Key, Key, 0, ct);

        Assert.Equal([(100ul, 1ul), (100ul, 2ul), (100ul, 3ul)], cluster.Of(Op.Write).Select(w => SessionOf(w.Request)));
        Assert.Equal(WriteCondition.IfAbsent, cluster.Of(Op.Write)[2].Request.Write.Condition);
    }

    [Fact]
    public async Task An_idempotency_key_reuses_its_session_with_sequence_one()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 1);
        cluster.Script = (_, _, _) => Answer(ResponseStatus.Ok, 5);
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
    public async Task A_session_expired_on_a_first_attempt_opens_a_new_session()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 1);
        var calls = 0;
        cluster.Script = (_, _, _) => Interlocked.Increment(ref calls) == 1 ? Answer(ResponseStatus.SessionExpired) : Answer(ResponseStatus.Ok, 3);
        await using var client = cluster.NewClient();

        Assert.Equal(3ul, await client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal([(100ul, 1ul), (101ul, 1ul)], cluster.Of(Op.Write).Select(w => SessionOf(w.Request)));
    }

    [Fact]
    public async Task A_session_expired_on_a_retry_is_an_unknown_outcome()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 1);
        var calls = 0;
        cluster.Script = (_, _, _) => Interlocked.Increment(ref calls) == 1 ? Answer(ResponseStatus.OutcomeUnknown) : Answer(ResponseStatus.SessionExpired);
        await using var client = cluster.NewClient();

        await Assert.ThrowsAsync<OutcomeUnknownException>(
            () => client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task A_stale_request_answer_is_an_unknown_outcome()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 1);
        cluster.Script = (_, _, _) => Answer(ResponseStatus.StaleRequest);
        await using var client = cluster.NewClient();

        await Assert.ThrowsAsync<OutcomeUnknownException>(
            () => client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Single(cluster.Of(Op.Write));
    }

    [Fact]
    public async Task The_session_pool_never_runs_two_writes_on_one_session_at_once()
    {
        const int writers = 6;
        await using var cluster = await FakeCluster.StartAsync(silos: 1);
        var busy = new ConcurrentDictionary<ulong, byte>();
        var overlaps = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = 0;
        var allArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.Script = async (_, request, _) =>
        {
            if (!busy.TryAdd(request.Write.SessionId, 0))
            {
                Interlocked.Increment(ref overlaps);
            }

            if (Interlocked.Increment(ref arrived) % writers == 0)
            {
                allArrived.TrySetResult();
            }

            await gate.Task;
            busy.TryRemove(request.Write.SessionId, out _);
            return new ClientResponse { Status = ResponseStatus.Ok, Version = 1 };
        };
        await using var client = cluster.NewClient();
        var ct = TestContext.Current.CancellationToken;

        var round1 = Enumerable.Range(0, writers).Select(_ => client.PutAsync(Key, Key, cancellationToken: ct)).ToArray();
        await allArrived.Task.WaitAsync(Timeouts.Guard, ct);
        gate.SetResult();
        await Task.WhenAll(round1).WaitAsync(Timeouts.Guard, ct);
        var round2 = Enumerable.Range(0, writers).Select(_ => client.PutAsync(Key, Key, cancellationToken: ct)).ToArray();
        await Task.WhenAll(round2).WaitAsync(Timeouts.Guard, ct);

        Assert.Equal(0, overlaps);
        Assert.Equal(writers, cluster.SessionsOpened);
        var writes = cluster.Of(Op.Write).Select(w => SessionOf(w.Request)).ToList();
        Assert.Equal(Enumerable.Range(100, writers).Select(s => (ulong)s).Order(), writes.Take(writers).Select(w => w.Session).Order());
        Assert.All(writes.Take(writers), w => Assert.Equal(1ul, w.Sequence));
        Assert.Equal(Enumerable.Range(100, writers).Select(s => (ulong)s).Order(), writes.Skip(writers).Select(w => w.Session).Order());
        Assert.All(writes.Skip(writers), w => Assert.Equal(2ul, w.Sequence));
    }
}
