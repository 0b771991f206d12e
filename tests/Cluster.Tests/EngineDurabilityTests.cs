using System.Diagnostics.Metrics;
using MultiRaft.Silo.Hosting;
using MultiRaft.Storage;

namespace MultiRaft.Cluster.Tests;

/// <summary>What the engine waits to be durable: entries and votes, never a commit index alone.</summary>
public sealed class EngineDurabilityTests
{
    [Fact]
    public async Task A_write_waits_for_one_fsync_and_its_commit_for_none()
    {
        using var meter = new Meter(MultiRaftMeter.Name);
        await using var single = await SingleVoterEngine.StartAsync(new InMemoryStorageProvider(), meter, TestContext.Current.CancellationToken);
        var engine = single.Engine;

        const int writes = 20;
        var before = Interlocked.Read(ref engine.Stats.DurableWaits);
        for (var i = 0; i < writes; i++)
        {
            await single.WriteAsync($"k{i}");
        }

        // One wait per write, for its entry; the commit that follows it, alone in its turn, waits for nothing.
        Assert.Equal(writes, Interlocked.Read(ref engine.Stats.DurableWaits) - before);
    }
}
