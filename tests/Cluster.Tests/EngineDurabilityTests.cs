using Microsoft.Extensions.Logging.Abstractions;
using MultiRaft.Grains.Kv;
using MultiRaft.Grains.Replica;
using MultiRaft.Raft;
using MultiRaft.Silo.Engine;
using MultiRaft.Silo.Hosting;
using MultiRaft.Storage;

namespace MultiRaft.Cluster.Tests;

/// <summary>What the engine waits to be durable: entries and votes, never a commit index alone.</summary>
public sealed class EngineDurabilityTests
{
    [Fact]
    public async Task A_write_waits_for_one_fsync_and_its_commit_for_none()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = await ReplicaStore.OpenAsync(new InMemoryStorageProvider(), ct);
        var id = new ReplicaId(1, 1);
        await store.InstallSnapshotAsync(id, Bootstrap.InitialSnapshot(new ConfState([1])), ct);
        await using var engine = new SiloEngine(new SiloOptions { SiloId = "s1", Workers = 1 }, store, NullLogger.Instance);
        // Leading once the new term's empty entry is applied: nothing to poll.
        var leads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.Applied = g => { if (g.IsLeader) { leads.TrySetResult(); } };
        engine.AddReplica(id, new KvReplicaStateMachine(KvSessionOptions.Default, KvLimits.Default));
        engine.Start();
        Assert.True(engine.Post(1, g => g.Node.Campaign()));
        await leads.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);

        const int writes = 20;
        var before = Interlocked.Read(ref engine.Stats.DurableWaits);
        for (var i = 0; i < writes; i++)
        {
            await WriteAsync(engine, $"k{i}");
        }

        // One wait per write, for its entry; the commit that follows it, alone in its turn, waits for nothing.
        Assert.Equal(writes, Interlocked.Read(ref engine.Stats.DurableWaits) - before);
    }

    private static async Task WriteAsync(SiloEngine engine, string key)
    {
        var k = System.Text.Encoding.UTF8.GetBytes(key);
        var proposal = new OneShotProposal(CommandCodec.Encode(KvCommand.Put(0, 0, k, k, KvLimits.Default)));
        Assert.True(engine.Post(1, proposal.Run));
        var outcome = await proposal.Outcome;
        Assert.True(outcome.Applied);
        Assert.Equal(KvStatus.Ok, ((KvResult)outcome.Result!).Status);
    }
}
