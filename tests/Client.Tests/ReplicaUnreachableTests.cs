using System.Text;
using MultiRaft.Grains.Interfaces.Protos;
using static MultiRaft.Client.Tests.Scripts;
using Op = MultiRaft.Grains.Interfaces.Protos.ClientRequest.OpOneofCase;

namespace MultiRaft.Client.Tests;

// A grain call that comes back without an answer: whether it may have run (MayHaveArrived)
// decides whether a write that never gets a final answer is unknown or certainly not applied.
// Either way it is retried, never re-sequenced; a read is never unknown.
public sealed class ReplicaUnreachableTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("key-1");

    private static (ulong Session, ulong Sequence) SessionOf(ClientRequest request) =>
        (request.Write.SessionId, request.Write.Sequence);

    [Fact]
    public async Task A_write_whose_session_never_opens_is_unavailable_not_unknown_and_is_never_sent()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.SessionScript = InTurn(Lose, NeverAnswer);
        await using var client = cluster.NewClient(o => o.RequestTimeout = DeadlineTests.Budget);

        await Assert.ThrowsAsync<UnavailableException>(
            () => client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Empty(cluster.Of(Op.Write));
    }

    [Fact]
    public async Task A_write_whose_call_was_lost_is_retried_on_another_replica_with_the_same_session_and_sequence()
    {
        var cluster = new FakeCluster(silos: 2);
        cluster.Script = OnSilo("silo-a", Lose, Reply(ResponseStatus.Ok, r => r.Version = 12));
        await using var client = cluster.NewClient();

        Assert.Equal(12ul, await client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));

        var writes = cluster.Of(Op.Write);
        Assert.Equal([new ReplicaAddress(1, 11, "silo-a"), new ReplicaAddress(1, 12, "silo-b")], writes.Select(w => w.Target));
        Assert.Equal([(100ul, 1ul), (100ul, 1ul)], writes.Select(w => SessionOf(w.Request)));
    }

    [Fact]
    public async Task A_write_whose_call_may_have_arrived_and_whose_retries_get_no_final_answer_ends_unknown()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = InTurn(Lose, Lose, Lose, ReplyAtDeadline(ResponseStatus.Unavailable));
        await using var client = cluster.NewClient(o => o.RequestTimeout = DeadlineTests.Budget);

        var error = await Assert.ThrowsAsync<OutcomeUnknownException>(
            () => client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(Enumerable.Repeat((100ul, 1ul), 4), cluster.Of(Op.Write).Select(w => SessionOf(w.Request)));
        Assert.Contains("may or may not have applied", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_whose_call_hangs_is_given_up_after_the_attempt_timeout_and_retried_elsewhere_with_the_same_session()
    {
        // A call to a silo that died after receiving it hangs until Orleans declares the silo dead.
        var cluster = new FakeCluster(silos: 2);
        cluster.Script = OnSilo("silo-a", NeverAnswer, Reply(ResponseStatus.Ok, r => r.Version = 7));
        await using var client = cluster.NewClient(o =>
        {
            o.RequestTimeout = Timeouts.Guard;
            o.AttemptTimeout = TimeSpan.FromMilliseconds(100);
        });

        Assert.Equal(7ul, await client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));

        var writes = cluster.Of(Op.Write);
        Assert.Equal([new ReplicaAddress(1, 11, "silo-a"), new ReplicaAddress(1, 12, "silo-b")], writes.Select(w => w.Target));
        Assert.Equal([(100ul, 1ul), (100ul, 1ul)], writes.Select(w => SessionOf(w.Request)));
        // Each silo is given the attempt's budget as its deadline, not the whole call's.
        Assert.All(writes, w => Assert.Equal(100u, w.Request.TimeoutMs));
    }

    [Fact]
    public async Task A_write_refused_placement_is_retried_on_another_replica_with_the_same_session_and_sequence()
    {
        var cluster = new FakeCluster(silos: 2);
        cluster.Script = OnSilo("silo-a", RefusePlacement, Reply(ResponseStatus.Ok, r => r.Version = 6));
        await using var client = cluster.NewClient();

        Assert.Equal(6ul, await client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));

        var writes = cluster.Of(Op.Write);
        Assert.Equal([new ReplicaAddress(1, 11, "silo-a"), new ReplicaAddress(1, 12, "silo-b")], writes.Select(w => w.Target));
        Assert.Equal([(100ul, 1ul), (100ul, 1ul)], writes.Select(w => SessionOf(w.Request)));
    }

    [Fact]
    public async Task A_write_refused_placement_on_every_retry_ends_unavailable()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = InTurn(RefusePlacement, RefusePlacement, RefusePlacement, ReplyAtDeadline(ResponseStatus.Unavailable));
        await using var client = cluster.NewClient(o => o.RequestTimeout = DeadlineTests.Budget);

        await Assert.ThrowsAsync<UnavailableException>(
            () => client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(Enumerable.Repeat((100ul, 1ul), 4), cluster.Of(Op.Write).Select(w => SessionOf(w.Request)));
    }

    [Fact]
    public async Task A_write_that_may_have_arrived_once_stays_unknown_when_later_calls_are_refused()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = InTurn(Lose, RefusePlacement, RefusePlacement, ReplyAtDeadline(ResponseStatus.Unavailable));
        await using var client = cluster.NewClient(o => o.RequestTimeout = DeadlineTests.Budget);

        await Assert.ThrowsAsync<OutcomeUnknownException>(
            () => client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(Enumerable.Repeat((100ul, 1ul), 4), cluster.Of(Op.Write).Select(w => SessionOf(w.Request)));
    }

    [Fact]
    public async Task A_lost_session_opening_does_not_make_the_write_unknown()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.SessionScript = InTurn(Lose, (_, _, _) => new(cluster.OpenSession()));
        var unavailable = Reply(ResponseStatus.Unavailable);
        cluster.Script = InTurn(unavailable, ReplyAtDeadline(ResponseStatus.Unavailable));
        await using var client = cluster.NewClient(o => o.RequestTimeout = DeadlineTests.Budget);

        await Assert.ThrowsAsync<UnavailableException>(
            () => client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(2, cluster.Of(Op.OpenSession).Count);
        Assert.Equal(Enumerable.Repeat((100ul, 1ul), 2), cluster.Of(Op.Write).Select(w => SessionOf(w.Request)));
    }

    [Fact]
    public async Task A_read_whose_calls_are_lost_or_never_answered_is_unavailable_never_unknown()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = InTurn(Lose, Lose, Lose, NeverAnswer);
        await using var client = cluster.NewClient(o => o.RequestTimeout = DeadlineTests.Budget);

        await Assert.ThrowsAsync<UnavailableException>(
            () => client.GetAsync(Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(4, cluster.Of(Op.Get).Count);
    }
}
