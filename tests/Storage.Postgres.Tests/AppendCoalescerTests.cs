using MultiRaft.Raft;

namespace MultiRaft.Storage.Postgres.Tests;

/// <summary>A run of appends folds into one net change per replica that leaves the same rows as replaying it.</summary>
public sealed class AppendCoalescerTests
{
    private static readonly ReplicaId A = new(1, 1);
    private static readonly ReplicaId B = new(1, 2);

    private static Entry[] Run(ulong term, ulong from, int count) =>
        Enumerable.Range(0, count).Select(i => new Entry(term, from + (ulong)i, new[] { (byte)term })).ToArray();

    private static string Shape(PostgresAppendCoalescer.Change c) =>
        $"from={c.DeleteFrom?.ToString() ?? "-"} " + string.Join(' ', c.Entries.Select(e => $"{e.Term}/{e.Index}"));

    [Fact]
    public void ALaterAppendReplacesTheRunsOwnTailFromItsFirstIndex()
    {
        var c = new PostgresAppendCoalescer();
        c.Add(new AppendOp(A, null, Run(1, 1, 6)));
        c.Add(new AppendOp(A, null, Run(2, 4, 2)));

        Assert.Equal("from=1 1/1 1/2 1/3 2/4 2/5", Shape(c.Changes.Single()));
        Assert.Equal(5, c.EntryCount);
    }

    [Fact]
    public void StoredEntriesAreDeletedFromTheLowestFirstIndexOfTheRun()
    {
        var c = new PostgresAppendCoalescer();
        c.Add(new AppendOp(A, null, Run(1, 8, 2)));
        c.Add(new AppendOp(A, null, Run(2, 4, 2)));
        c.Add(new AppendOp(A, null, Run(2, 6, 1)));

        Assert.Equal("from=4 2/4 2/5 2/6", Shape(c.Changes.Single()));
        Assert.Equal(3, c.EntryCount);
    }

    [Fact]
    public void TheLastHardStateWinsAndAnEmptyAppendStillNamesItsReplica()
    {
        var c = new PostgresAppendCoalescer();
        c.Add(new AppendOp(A, new HardState(1, 1, 0), Run(1, 1, 1)));
        c.Add(new AppendOp(B, null, []));
        c.Add(new AppendOp(A, new HardState(2, 0, 1), []));
        c.Add(new AppendOp(A, null, Run(2, 2, 1)));

        var changes = c.Changes.ToArray();
        Assert.Equal([A, B], changes.Select(x => x.Replica));
        Assert.Equal(new HardState(2, 0, 1), changes[0].HardState);
        Assert.Equal("from=1 1/1 2/2", Shape(changes[0]));
        Assert.Null(changes[1].HardState);
        Assert.Equal("from=- ", Shape(changes[1]));
    }
}
