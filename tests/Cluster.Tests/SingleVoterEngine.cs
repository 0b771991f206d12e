using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using MultiRaft.Grains.Kv;
using MultiRaft.Grains.Replica;
using MultiRaft.Raft;
using MultiRaft.Silo.Engine;
using MultiRaft.Silo.Hosting;
using MultiRaft.Storage;

namespace MultiRaft.Cluster.Tests;

/// <summary>A silo engine with one replica, the only voter of data shard 1, leading once started: nothing to poll.</summary>
internal sealed class SingleVoterEngine : IAsyncDisposable
{
    private readonly ReplicaStore _store;

    private SingleVoterEngine(ReplicaStore store, SiloEngine engine)
    {
        _store = store;
        Engine = engine;
    }

    public SiloEngine Engine { get; }

    /// <summary>
    /// Opens <paramref name="provider"/>, bootstraps the shard and waits until its replica leads and
    /// applied its empty entry; <paramref name="tickMs"/>, when set, replaces the engine's tick interval.
    /// </summary>
    public static async Task<SingleVoterEngine> StartAsync(IStorageProvider provider, Meter meter, CancellationToken ct, int tickMs = 0)
    {
        var store = await ReplicaStore.OpenAsync(provider, ct);
        var id = new ReplicaId(1, 1);
        await store.InstallSnapshotAsync(id, Bootstrap.InitialSnapshot(new ConfState([1])), ct);
        var options = new SiloOptions { SiloId = "s1", Workers = 1 };
        if (tickMs > 0)
        {
            options.TickMs = tickMs;
        }

        var engine = new SiloEngine(options, store, NullLogger.Instance, meter);
        var started = new SingleVoterEngine(store, engine);
        var leads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.Applied = g => { if (g.IsLeader) { leads.TrySetResult(); } };
        engine.AddReplica(id, new KvReplicaStateMachine(KvSessionOptions.Default, KvLimits.Default));
        engine.Start();
        Assert.True(engine.Post(1, g => g.Node.Campaign()));
        await leads.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        return started;
    }

    /// <summary>Puts <paramref name="key"/> = <paramref name="key"/> and waits until it applied.</summary>
    public async Task WriteAsync(string key)
    {
        var k = System.Text.Encoding.UTF8.GetBytes(key);
        var proposal = new OneShotProposal(CommandCodec.Encode(KvCommand.Put(0, 0, k, k, KvLimits.Default)));
        Assert.True(Engine.Post(1, proposal.Run));
        var outcome = await proposal.Outcome;
        Assert.True(outcome.Applied);
        Assert.Equal(KvStatus.Ok, ((KvResult)outcome.Result!).Status);
    }

    /// <summary>
    /// Waits for an operation on the replica's worker: it runs between turns, so once it has run,
    /// every turn before it has finished (and recorded its metrics).
    /// </summary>
    public async Task TurnsDoneAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(Engine.Post(1, _ => done.SetResult()));
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        await _store.DisposeAsync();
    }
}
