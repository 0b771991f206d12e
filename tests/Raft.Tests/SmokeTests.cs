namespace MultiRaft.Raft.Tests;

public class SmokeTests
{
    [Fact]
    public void SingleMemberElectsItselfAndCommits()
    {
        var storage = new MemoryStorage(new ConfState([1UL]));
        var node = new RawNode(new RaftConfig { Id = 1, Storage = storage });
        node.Campaign();
        for (var i = 0; i < 10 && node.HasReady; i++)
        {
            var rd = node.GetReady();
            if (rd.HardState is { } hs)
            {
                storage.SetHardState(hs);
            }

            storage.Append(rd.Entries);
            node.Advance();
        }

        Assert.Equal(RaftRole.Leader, node.Role);
        Assert.Equal(1UL, node.Committed);
    }
}
