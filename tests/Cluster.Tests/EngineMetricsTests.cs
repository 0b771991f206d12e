using System.Diagnostics.Metrics;
using MultiRaft.Silo.Hosting;
using MultiRaft.Storage.FileWal;

namespace MultiRaft.Cluster.Tests;

/// <summary>What the engine and the file WAL record on the silo's meter, counted exactly for one single-voter shard.</summary>
public sealed class EngineMetricsTests
{
    [Fact]
    public async Task Each_write_records_one_proposal_commit_apply_group_commit_and_fsync()
    {
        var dir = Directory.CreateTempSubdirectory("multiraft-metrics-");
        try
        {
            using var meter = new Meter(MultiRaftMeter.Name);
            using var recorder = new MeterRecorder(meter);
            await using var single = await SingleVoterEngine.StartAsync(
                new FileWalProvider(new FileWalOptions { Directory = dir.FullName, Meter = meter }), meter, TestContext.Current.CancellationToken);
            await single.TurnsDoneAsync();

            // One campaign, won; the new leader's empty entry is its first proposal and commit.
            Assert.Equal(1, recorder.Sum("multiraft.elections"));
            Assert.Equal(1, recorder.Sum("multiraft.elections.won"));
            Assert.Equal(1, recorder.Sum("multiraft.proposals"));
            Assert.Equal(1, recorder.Sum("multiraft.commits"));

            recorder.Clear();
            const int writes = 20;
            for (var i = 0; i < writes; i++)
            {
                await single.WriteAsync($"k{i:D2}");
            }

            await single.TurnsDoneAsync();
            Assert.Equal(writes, recorder.Sum("multiraft.proposals"));
            Assert.Equal(writes, recorder.Sum("multiraft.commits"));
            Assert.Equal(writes, recorder.Values("multiraft.commit.duration").Count);
            Assert.Equal(writes, recorder.Sum("multiraft.entries.applied"));
            Assert.Equal(writes, recorder.Values("multiraft.apply.duration").Count);
            // Sequential writes: one group commit (one fsync) per write, for its one entry; its
            // commit index rides along with the next write's batch.
            Assert.Equal(Enumerable.Repeat(1.0, writes), recorder.Values("multiraft.group_commit.entries"));
            Assert.Equal(writes, recorder.Values("multiraft.group_commit.duration").Count);
            Assert.Equal(writes, recorder.Values("multiraft.wal.fsync.duration").Count);
            Assert.Equal(writes, recorder.Values("multiraft.wal.fsync.bytes").Count);
            Assert.All(recorder.Values("multiraft.wal.fsync.bytes"), b => Assert.True(b > 0));
            // A single voter has nobody to talk to, and nobody to hand leadership to.
            Assert.Empty(recorder.Values("multiraft.calls.sent"));
            Assert.Empty(recorder.Values("multiraft.elections"));
            Assert.Empty(recorder.Values("multiraft.leader_transfers"));

            recorder.Clear();
            recorder.Observe();
            Assert.Equal([1.0], recorder.Values("multiraft.replicas"));
            Assert.Equal([1.0], recorder.Values("multiraft.leaders"));
            Assert.Equal([("shard=1", (double)writes)], recorder.Tagged("multiraft.shard.keys"));
            // Keys and values alike are "kNN": 3 bytes each.
            Assert.Equal([("shard=1", writes * 6.0)], recorder.Tagged("multiraft.shard.bytes"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
