using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Router.Tests;

/// <summary>A replica's current role: the leader's report of the configuration first, the router's map without one.</summary>
public sealed class ReplicaRolesTests
{
    private static ReplicaDescriptor Wanted(ulong id, ReplicaRole role) => new() { ReplicaId = id, SiloId = "s" + id, Role = role };

    [Fact]
    public void Without_a_report_the_map_says()
    {
        Assert.Equal(ReplicaRole.Voter, ReplicaRoles.Current(Wanted(1, ReplicaRole.Voter), null));
        Assert.Equal(ReplicaRole.Learner, ReplicaRoles.Current(Wanted(1, ReplicaRole.Learner), new LeaderHint { ShardId = 1, ReplicaId = 1 }));
    }

    [Fact]
    public void With_a_report_the_configuration_says()
    {
        var hint = new LeaderHint { ShardId = 1, ReplicaId = 1, Voters = { 1, 2 }, Learners = { 3 } };

        Assert.Equal(ReplicaRole.Voter, ReplicaRoles.Current(Wanted(2, ReplicaRole.Learner), hint));
        Assert.Equal(ReplicaRole.Learner, ReplicaRoles.Current(Wanted(3, ReplicaRole.Voter), hint));
        Assert.Null(ReplicaRoles.Current(Wanted(4, ReplicaRole.Voter), hint)); // in the map, not yet in the group
    }
}
