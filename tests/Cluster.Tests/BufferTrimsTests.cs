using MultiRaft.Silo.Engine;

namespace MultiRaft.Cluster.Tests;

public class BufferTrimsTests
{
    [Fact]
    public void AReplicaIsTrimmedOnceItHasSleptTheDelay()
    {
        var trims = new BufferTrims<string>(delayTicks: 50);
        var trimmed = new List<string>();
        trims.Plan("a", generation: 1, tick: 0);
        trims.Plan("b", generation: 7, tick: 10);

        trims.TakeDue(49, (_, _) => true, trimmed.Add);
        Assert.Empty(trimmed);
        trims.TakeDue(50, (_, _) => true, trimmed.Add);
        Assert.Equal(["a"], trimmed);
        trims.TakeDue(60, (_, _) => true, trimmed.Add);
        Assert.Equal(["a", "b"], trimmed);
        Assert.Equal(0, trims.Count);
    }

    [Fact]
    public void AReplicaThatWokeSinceIsPassedOverAndForgotten()
    {
        var trims = new BufferTrims<string>(delayTicks: 5);
        var trimmed = new List<string>();
        var generations = new Dictionary<string, long> { ["a"] = 2, ["b"] = 3 };
        trims.Plan("a", generation: 1, tick: 0); // woke since: now at generation 2
        trims.Plan("b", generation: 3, tick: 0);

        trims.TakeDue(5, (r, g) => generations[r] == g, trimmed.Add);

        Assert.Equal(["b"], trimmed);
        Assert.Equal(0, trims.Count);
    }

    [Fact]
    public void OnlyTheDueReplicasAreAsked()
    {
        var trims = new BufferTrims<string>(delayTicks: 5);
        var asked = new List<string>();
        trims.Plan("a", 1, 0);
        trims.Plan("b", 1, 3);

        trims.TakeDue(6, (r, _) => { asked.Add(r); return false; }, _ => Assert.Fail("nothing is asleep"));

        Assert.Equal(["a"], asked);
        Assert.Equal(1, trims.Count);
    }
}
