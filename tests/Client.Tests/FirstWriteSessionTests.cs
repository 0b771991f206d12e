using System.Text;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using static MultiRaft.Client.Tests.Scripts;
using Op = MultiRaft.Grains.Interfaces.Protos.ClientRequest.OpOneofCase;

namespace MultiRaft.Client.Tests;

/// <summary>
/// Sessions opened by their first write (<see cref="MultiRaftClientOptions.OpenSessionsWithFirstWrite"/>):
/// no opening call, a client-named id at sequence 1 kept by every retry, a refused id answered by
/// opening a session by proposal, and the session file records only sessions a shard opened.
/// </summary>
public sealed class FirstWriteSessionTests : IDisposable
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("key-1");
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("multiraft-first-write-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static (ulong Session, ulong Sequence)[] Writes(FakeCluster cluster) =>
        [.. cluster.Of(Op.Write).Select(w => (w.Request.Write.SessionId, w.Request.Write.Sequence))];

    private static MultiRaftClient Client(FakeCluster cluster, string? sessionFile = null) =>
        cluster.NewClient(o =>
        {
            o.OpenSessionsWithFirstWrite = true;
            o.SessionFile = sessionFile;
            o.RequestTimeout = DeadlineTests.Budget;
        });

    [Fact]
    public async Task The_first_write_carries_a_client_named_id_at_sequence_1_and_the_next_write_continues_it()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = InTurn(Reply(ResponseStatus.OutcomeUnknown), Reply(ResponseStatus.Ok), Reply(ResponseStatus.Ok));
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await using var client = Client(cluster);
        var ct = TestContext.Current.CancellationToken;

        await client.PutAsync(Key, Key, cancellationToken: ct);
        await client.PutAsync(Key, Key, cancellationToken: ct);

        var writes = Writes(cluster);
        var id = writes[0].Session;
        Assert.True(SessionIds.IsClientNamed(id));
        Assert.InRange(SessionIds.SecondOf(id), before, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal([(id, 1), (id, 1), (id, 2)], writes);
        Assert.Equal(0, cluster.SessionsOpened);
    }

    [Fact]
    public async Task A_refused_id_is_not_drawn_again_the_write_opens_a_session_by_proposal()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = InTurn(Reply(ResponseStatus.SessionExpired), Reply(ResponseStatus.Ok));
        await using var client = Client(cluster);

        await client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken);

        var writes = Writes(cluster);
        Assert.True(SessionIds.IsClientNamed(writes[0].Session));
        Assert.Equal((100UL, 1UL), writes[1]);
        Assert.Equal(1, cluster.SessionsOpened);
    }

    [Fact]
    public async Task A_first_write_that_may_have_opened_its_session_and_is_then_refused_is_unknown()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = InTurn(Reply(ResponseStatus.OutcomeUnknown), Reply(ResponseStatus.SessionExpired));
        await using var client = Client(cluster);

        await Assert.ThrowsAsync<OutcomeUnknownException>(
            () => client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(2, Writes(cluster).Length);
        Assert.Equal(0, cluster.SessionsOpened);
    }

    [Fact]
    public async Task After_a_write_with_no_final_answer_the_next_session_on_that_shard_is_opened_by_proposal()
    {
        // While a shard cannot commit, the opening fails and the write is never sent: a definite
        // failure instead of one more unknown outcome.
        var cluster = new FakeCluster(silos: 1);
        var ct = TestContext.Current.CancellationToken;
        cluster.Script = InTurn(Lose, Lose, ReplyAtDeadline(ResponseStatus.Unavailable));
        await using var client = Client(cluster);
        await Assert.ThrowsAsync<OutcomeUnknownException>(() => client.PutAsync(Key, Key, cancellationToken: ct));

        cluster.SessionScript = ReplyAtDeadline(ResponseStatus.Unavailable);
        await Assert.ThrowsAsync<UnavailableException>(() => client.PutAsync(Key, Key, cancellationToken: ct));
        Assert.Equal(3, Writes(cluster).Length);

        cluster.SessionScript = (_, _, _) => new(cluster.OpenSession());
        cluster.Script = Reply(ResponseStatus.Ok);
        await client.PutAsync(Key, Key, cancellationToken: ct);
        Assert.Equal((100UL, 1UL), Writes(cluster)[^1]);
    }

    [Fact]
    public async Task The_session_file_keeps_a_session_once_a_shard_answered_its_first_write()
    {
        var cluster = new FakeCluster(silos: 1);
        var file = Path.Combine(_dir.FullName, "sessions");
        var ct = TestContext.Current.CancellationToken;
        cluster.Script = Reply(ResponseStatus.Ok);
        await using (var client = Client(cluster, file))
        {
            await client.PutAsync(Key, Key, cancellationToken: ct);
        }

        await using (var client = Client(cluster, file))
        {
            await client.PutAsync(Key, Key, cancellationToken: ct);
        }

        var writes = Writes(cluster);
        Assert.Equal([(writes[0].Session, 1), (writes[0].Session, (2UL << 40) + 1)], writes);
    }

    [Fact]
    public async Task A_first_write_with_no_final_answer_leaves_nothing_in_the_session_file()
    {
        var cluster = new FakeCluster(silos: 1);
        var file = Path.Combine(_dir.FullName, "sessions");
        var ct = TestContext.Current.CancellationToken;
        cluster.Script = InTurn(Lose, Lose, ReplyAtDeadline(ResponseStatus.Unavailable));
        await using (var client = Client(cluster, file))
        {
            await Assert.ThrowsAsync<OutcomeUnknownException>(() => client.PutAsync(Key, Key, cancellationToken: ct));
        }

        cluster.Script = Reply(ResponseStatus.Ok);
        await using (var client = Client(cluster, file))
        {
            await client.PutAsync(Key, Key, cancellationToken: ct);
        }

        var writes = Writes(cluster);
        Assert.NotEqual(writes[0].Session, writes[^1].Session);
        Assert.Equal(1UL, writes[^1].Sequence);
    }
}
