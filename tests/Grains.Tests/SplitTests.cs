using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Kv;

namespace MultiRaft.Grains.Tests;

/// <summary>
/// The state machine's half of a shard split: the split entry moves the keys of the upper part of
/// the range and a copy of the session table into the new shard's initial state, at the entry's
/// index; afterwards the shard refuses the keys it gave away without applying anything.
/// </summary>
public sealed class SplitTests
{
    private static readonly (ulong, ulong)[] Pairs = [(2, 12), (3, 13), (4, 14)];

    private readonly KvDriver d = new();

    // Keys whose hashes fall on both sides of the split point.
    private static (List<string> Low, List<string> High, ulong At) Keys()
    {
        var all = Enumerable.Range(0, 200).Select(i => "key-" + i).ToList();
        var at = KeyHash.SpaceEnd / 2;
        return ([.. all.Where(k => KeyHash.Of(KvDriver.B(k)) < at)], [.. all.Where(k => KeyHash.Of(KvDriver.B(k)) >= at)], at);
    }

    private ShardSplit Split(ulong at, ulong rangeEnd = KeyHash.SpaceEnd, ulong rangeVersion = 2)
    {
        var index = d.NextIndex;
        Assert.Equal(KvResult.Ok(index), d.Apply(KvCommand.Split(at, rangeEnd, rangeVersion, 9, Pairs)));
        var split = d.Machine.LastSplit!;
        Assert.Equal((index, 9UL), (split.Index, split.ChildShardId));
        Assert.Equal(Pairs, split.Replicas);
        return split;
    }

    [Fact]
    public void The_upper_keys_move_to_the_child_at_the_split_index_and_the_lower_stay()
    {
        var (low, high, at) = Keys();
        Assert.NotEmpty(low);
        Assert.NotEmpty(high);
        foreach (var k in low.Concat(high))
        {
            d.Put(k, "v-" + k);
        }

        var versions = low.Concat(high).ToDictionary(k => k, k => d.Get(k)!.Value.Version);
        var bytesBefore = d.Machine.ItemBytes;

        var split = Split(at);
        var child = new KvDriver(split.Child);

        Assert.Equal(split.Index, split.Child.LastAppliedIndex);
        Assert.Equal((at, KeyHash.SpaceEnd, 2UL), (split.Child.RangeStart, split.Child.RangeEnd, split.Child.RangeVersion));
        Assert.Equal((0UL, at, 2UL), (d.Machine.RangeStart, d.Machine.RangeEnd, d.Machine.RangeVersion));
        Assert.Equal(low.Count, d.Machine.Count);
        Assert.Equal(high.Count, split.Child.Count);
        Assert.Equal(bytesBefore, d.Machine.ItemBytes + split.Child.ItemBytes);
        foreach (var k in low)
        {
            Assert.Equal(("v-" + k, versions[k]), d.Get(k));
            Assert.Null(child.Get(k));
        }

        foreach (var k in high)
        {
            Assert.Equal(("v-" + k, versions[k]), child.Get(k));
            Assert.Null(d.Get(k));
        }
    }

    [Fact]
    public void After_the_split_the_parent_refuses_moved_keys_without_touching_anything_and_the_child_takes_them()
    {
        var (low, high, at) = Keys();
        var c = d.OpenSession();
        d.Put(high[0], "before", c, 1);
        var split = Split(at);
        var child = new KvDriver(split.Child);
        var digest = d.Machine.Digest();

        // A write routed with a stale map lands in the parent's log after the split: refused.
        Assert.Equal(KvResult.WrongShard, d.Put(high[0], "late", c, 2));
        Assert.Equal(KvResult.WrongShard, d.Delete(high[1]));
        Assert.Equal(KvResult.WrongShard, d.Create(high[2], "x", c, 2));
        Assert.Equal(d.Machine.LastAppliedIndex, split.Index + 3);
        // Only the applied indexes differ: no key, no session changed.
        Assert.Equal(KvResult.Ok(split.Index + 4), d.Put(low[0], "still mine", c, 2));
        Assert.NotEqual(digest, d.Machine.Digest());

        // The retry of sequence 2 on the child applies once there (it was never applied on the parent).
        var onChild = child.Put(high[0], "late", c, 2);
        Assert.Equal(KvResult.Ok(child.Machine.LastAppliedIndex), onChild);
        Assert.True(onChild.Version > split.Index);
        Assert.Equal(KvResult.WrongShard, child.Put(low[0], "not mine", c, 3));
    }

    [Fact]
    public void A_write_applied_on_the_parent_before_the_split_is_not_applied_again_when_retried_on_the_child()
    {
        var (_, high, at) = Keys();
        var c = d.OpenSession();
        var first = d.Put(high[0], "once", c, 1);
        var split = Split(at);
        var child = new KvDriver(split.Child);
        Assert.Equal(d.Machine.SessionCount, split.Child.SessionCount);

        // The client never saw the answer and retries the same (client, sequence) on the new shard.
        var retry = child.Put(high[0], "once", c, 1);

        Assert.Equal(first, retry);
        Assert.Equal(("once", first.Version), child.Get(high[0]));
        Assert.Equal(split.Index, child.Machine.LastAppliedIndex - 1);
        // A later write of the session applies normally, with a version above the split index.
        Assert.Equal(KvResult.Ok(split.Index + 2), child.Put(high[0], "twice", c, 2));
        // A late duplicate of the older sequence is stale, not applied.
        Assert.Equal(KvResult.StaleRequest, child.Put(high[0], "once", c, 1));
    }

    [Fact]
    public void New_sessions_on_the_child_get_ids_above_every_copied_one()
    {
        var (_, _, at) = Keys();
        var c = d.OpenSession();
        var split = Split(at);
        var child = new KvDriver(split.Child);

        var fresh = child.OpenSession();

        Assert.True(fresh > c);
        Assert.Equal(2, split.Child.SessionCount);
    }

    [Theory]
    [InlineData("twice")]
    [InlineData("stale-end")]
    [InlineData("old-version")]
    public void A_split_that_does_not_match_the_current_range_is_a_no_op(string kind)
    {
        var (low, high, at) = Keys();
        d.Put(low[0], "a");
        d.Put(high[0], "b");
        Split(at);
        var before = d.Machine.Digest();

        var command = kind switch
        {
            // Proposed again before the leader saw the first one apply.
            "twice" => KvCommand.Split(at, KeyHash.SpaceEnd, 2, 9, Pairs),
            // A second split planned against the range before the first one.
            "stale-end" => KvCommand.Split(at / 2, KeyHash.SpaceEnd, 3, 10, Pairs),
            // A range version the shard has already reached.
            _ => KvCommand.Split(at / 2, at, 2, 10, Pairs),
        };
        var result = d.Apply(command);

        Assert.Equal(KvResult.WrongShard, result);
        Assert.Null(d.Machine.LastSplit);
        Assert.Equal(low[0], d.Machine.Scan([], 10).Select(i => KvDriver.S(i.Key)).Single());
        Assert.NotEqual(before, d.Machine.Digest()); // the applied index moved, nothing else
        Assert.Equal((0UL, at, 2UL), (d.Machine.RangeStart, d.Machine.RangeEnd, d.Machine.RangeVersion));
    }

    [Fact]
    public void Both_halves_survive_a_snapshot_with_their_ranges_and_a_whole_range_keeps_format_1()
    {
        var (low, high, at) = Keys();
        d.Put(low[0], "a");
        d.Put(high[0], "b");
        var whole = new MemoryStream();
        d.Machine.WriteSnapshot(whole);
        Assert.Equal(KvStateMachine.SnapshotFormatVersion, whole.ToArray()[4]);

        var split = Split(at);
        foreach (var m in new[] { d.Machine, split.Child })
        {
            var ms = new MemoryStream();
            m.WriteSnapshot(ms);
            Assert.Equal(m.SnapshotLength, ms.Length);
            Assert.Equal(KvStateMachine.SplitSnapshotFormatVersion, ms.ToArray()[4]);
            var copy = new KvStateMachine();
            copy.RestoreSnapshot(ms.ToArray());
            Assert.Equal((m.RangeStart, m.RangeEnd, m.RangeVersion), (copy.RangeStart, copy.RangeEnd, copy.RangeVersion));
            Assert.Equal(m.Digest(), copy.Digest());
        }
    }

    [Fact]
    public void The_split_entry_round_trips_through_the_codec()
    {
        var command = KvCommand.Split(12345, 99999, 7, 42, Pairs, 1000);

        var decoded = CommandCodec.DecodeCommand(CommandCodec.Encode(command), KvDriver.Limits);

        Assert.Equal(KvCommandKind.Split, decoded.Kind);
        Assert.Equal((12345UL, 99999UL, 7UL, 42UL, 1000L), (decoded.SplitHash, decoded.SplitRangeEnd, decoded.SplitRangeVersion, decoded.SplitChildShardId, decoded.TimestampMs));
        Assert.Equal(Pairs, decoded.SplitReplicas);
    }

    [Fact]
    public void The_replica_state_machine_hands_each_split_to_its_host_once_with_the_flag_up_while_it_does()
    {
        var sm = new MultiRaft.Grains.Replica.KvReplicaStateMachine(KvSessionOptions.Default, KvDriver.Limits);
        var seen = new List<(ShardSplit Split, bool Applying, ulong RangeEnd)>();
        sm.SplitApplied = s => seen.Add((s, sm.SplitApplying, sm.Kv.RangeEnd));
        var at = KeyHash.SpaceEnd / 2;
        var split = CommandCodec.Encode(KvCommand.Split(at, KeyHash.SpaceEnd, 2, 9, Pairs));

        sm.Apply(1, CommandCodec.Encode(KvCommand.Put(0, 0, "a"u8, "x"u8, KvDriver.Limits)));
        sm.Apply(2, split);
        sm.Apply(3, split);

        var (handed, applying, end) = Assert.Single(seen);
        Assert.Equal((2UL, 9UL, true, at), (handed.Index, handed.ChildShardId, applying, end));
        Assert.False(sm.SplitApplying);
    }
}
