using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;
using MultiRaft.Grains.Router;

namespace MultiRaft.Router.Tests;

/// <summary>Builders shared by the router tests.</summary>
internal static class RouterFixtures
{
    public const long T0 = 1_700_000_000_000;

    public static SiloInfo Silo(string id, int port = 11111) => new()
    {
        SiloId = id,
        SiloAddress = $"{id}:{port}",
        GatewayAddress = $"{id}:30000",
        HttpAddress = $"{id}:8080",
    };

    /// <summary>A machine restored from the bootstrap state of <paramref name="shards"/> shards on silo "s1", at index 1.</summary>
    public static RouterStateMachine Booted(int shards = 16)
    {
        var m = new RouterStateMachine();
        m.RestoreSnapshot(RouterStateMachine.EncodeSnapshot(RouterStateMachine.Bootstrap("c1", Silo("s1"), shards, T0), 1));
        return m;
    }

    /// <summary>A leader hint as a silo's heartbeat reports it.</summary>
    public static LeaderHint Hint(ulong shard, ulong replica, string silo, ulong term, ulong commit = 0) =>
        new() { ShardId = shard, ReplicaId = replica, SiloId = silo, Term = term, CommitIndex = commit };

    /// <summary>Applies at the next index.</summary>
    public static RouterResult Next(this RouterStateMachine m, RouterCommand command) =>
        m.Apply(m.LastAppliedIndex + 1, command);

    /// <summary>Booted, then silos s2..sN registered at T0 + 1 .. .</summary>
    public static RouterStateMachine WithSilos(int silos, int shards = 16)
    {
        var m = Booted(shards);
        for (var i = 2; i <= silos; i++)
        {
            Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.Register(Silo("s" + i), T0 + i)).Outcome);
        }

        return m;
    }

    /// <summary>Plans and applies until the planner has nothing to say; returns the rounds taken.</summary>
    public static int Converge(RouterStateMachine m, long nowMs, RouterPlannerOptions options, int maxRounds = 20,
        IReadOnlySet<string>? declaredDead = null)
    {
        for (var round = 0; round < maxRounds; round++)
        {
            var commands = RouterPlanner.Plan(m.State, nowMs, options, declaredDead);
            if (commands.Count == 0)
            {
                return round;
            }

            foreach (var c in commands)
            {
                Assert.Equal(RouterOutcome.Applied, m.Next(c).Outcome);
            }
        }

        Assert.Fail($"planner did not converge in {maxRounds} rounds");
        return -1;
    }

    public static int ReplicasOn(RouterState state, string siloId) =>
        state.Shards.Where(s => s.ShardId != 0).Sum(s => s.Replicas.Count(r => r.SiloId == siloId));
}
