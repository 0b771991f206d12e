using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

public sealed class DeterminismTests
{
    /// <summary>A random mix of every command kind, valid and not, with a jittery leader clock.</summary>
    private static List<RouterCommand> RandomStream(int seed, int count)
    {
        var random = new Random(seed);
        var commands = new List<RouterCommand>();
        var now = T0;
        string SiloId() => "s" + random.Next(1, 9);
        ulong ShardId() => (ulong)random.Next(0, 20);
        ShardEpoch Epoch() => new() { ConfVer = (ulong)random.Next(1, 6), RangeVer = 1 };
        ReplicaRole Role() => (ReplicaRole)random.Next(0, 3);
        for (var i = 0; i < count; i++)
        {
            now += random.Next(-200, 3000);
            commands.Add(random.Next(6) switch
            {
                0 => RouterCommands.Register(Silo(SiloId(), random.Next(11111, 11115)), now),
                1 or 2 => RouterCommands.Heartbeat(
                    SiloId(),
                    Enumerable.Range(0, random.Next(0, 4)).Select(_ => new LeaderHint
                    {
                        ShardId = ShardId(), ReplicaId = (ulong)random.Next(1, 60), SiloId = SiloId(), Term = (ulong)random.Next(1, 5),
                    }),
                    now),
                3 => RouterCommands.AddReplica(ShardId(), SiloId(), Epoch(), Role(), now),
                4 => RouterCommands.SetRole(ShardId(), (ulong)random.Next(1, 60), Role(), Epoch(), now),
                _ => RouterCommands.MarkDead(SiloId(), now - random.Next(0, 5000), now),
            });
        }

        return commands;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Two_machines_fed_the_same_stream_agree(int seed)
    {
        var a = Booted();
        var b = Booted();
        var applied = 0;
        foreach (var command in RandomStream(seed, 2000))
        {
            // One machine takes the decoded bytes, the other the object: both paths agree.
            var index = a.LastAppliedIndex + 1;
            var ra = a.Apply(index, RouterCommands.Encode(command));
            var rb = b.Apply(index, command);
            Assert.Equal(ra, rb);
            applied += ra.Outcome == RouterOutcome.Applied ? 1 : 0;
        }

        Assert.Equal(a.Digest(), b.Digest());
        Assert.Equal(a.WriteSnapshot(), b.WriteSnapshot());
        // The stream did exercise the machine.
        Assert.InRange(applied, 500, 2000);
        Assert.True(a.State.Silos.Count >= 5);
        AssertCanonical(a.State);
    }

    [Fact]
    public void Planner_driven_runs_agree_and_stay_canonical()
    {
        var a = WithSilos(6);
        var b = WithSilos(6);
        var now = T0 + 100;
        for (var round = 0; round < 10; round++, now += 4000)
        {
            // Orleans declares s6 dead after round 2.
            var dead = round < 2 ? new HashSet<string>() : new HashSet<string> { "s6" };
            foreach (var command in RouterPlanner.Plan(a.State, now, new RouterPlannerOptions(), dead))
            {
                Assert.Equal(a.Next(command), b.Next(command));
            }

            // s6 stops heartbeating after round 2.
            foreach (var s in a.State.Silos.Select(s => s.SiloId).Where(s => s != "s6" || round < 2).ToArray())
            {
                var hb = RouterCommands.Heartbeat(s, [], now);
                Assert.Equal(a.Next(hb), b.Next(hb));
            }
        }

        Assert.Equal(a.Digest(), b.Digest());
        Assert.Equal(SiloStatus.Dead, a.FindSilo("s6")!.Status);
        AssertCanonical(a.State);
    }

    private static void AssertCanonical(RouterState state)
    {
        var siloIds = state.Silos.Select(s => s.SiloId).ToArray();
        Assert.Equal(siloIds.Order(StringComparer.Ordinal), siloIds);
        Assert.Equal(0UL, state.Shards[0].ShardId);
        var starts = state.Shards.Skip(1).Select(s => s.HashStart).ToArray();
        Assert.Equal(starts.Order(), starts);
        var leaders = state.Leaders.Select(l => l.ShardId).ToArray();
        Assert.Equal(leaders.Order().Distinct(), leaders);
        foreach (var shard in state.Shards)
        {
            var ids = shard.Replicas.Select(r => r.ReplicaId).ToArray();
            Assert.Equal(ids.Order().Distinct(), ids);
            Assert.All(ids, id => Assert.True(id < state.NextReplicaId));
            Assert.Equal(shard.Replicas.Count, shard.Replicas.Select(r => r.SiloId).Distinct().Count());
            if (shard.ShardId != 0)
            {
                Assert.InRange(shard.Replicas.Count, 1, RouterStateMachine.MaxDataReplicas);
            }
        }
    }
}
