using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Testing;

namespace MultiRaft.Cli.Tests;

public sealed class OperatorCommandTests
{
    [Fact]
    public async Task Silo_drain_asks_the_router_and_prints_the_data_replicas_left()
    {
        var run = new CliRun();
        run.Gateway.ScriptScaleIn();

        Assert.Equal(ExitCodes.Ok, await run.RunAsync("silo", "drain", ScriptedChannel.Silo2));

        Assert.Equal("silo silo-2 is draining: 2 data replicas left to move\n", run.Out);
        Assert.Equal((0UL, ScriptedChannel.Silo2, false), run.Gateway.ScaleInCall());
    }

    [Fact]
    public async Task Silo_undrain_asks_the_router_and_refused_exits_1()
    {
        var run = new CliRun();
        run.Gateway.ScriptScaleIn();

        Assert.Equal(ExitCodes.Ok, await run.RunAsync("silo", "undrain", ScriptedChannel.Silo2));

        Assert.Equal("silo silo-2 is active\n", run.Out);
        Assert.True(Assert.Single(run.Gateway.Requests, r => r.OpCase == ClientRequest.OpOneofCase.ScaleIn).ScaleIn.Undrain);

        var refused = new CliRun();
        refused.Gateway.ScriptScaleIn("undrain refused: the silo is not draining");
        Assert.Equal(ExitCodes.NotFoundOrPreconditionFailed, await refused.RunAsync("silo", "undrain", ScriptedChannel.Silo2));
        Assert.Contains("undrain refused: the silo is not draining", refused.Error);
    }

    [Fact]
    public async Task Silo_drain_refused_by_the_router_exits_1_with_the_reason()
    {
        var run = new CliRun();
        run.Gateway.ScriptScaleIn("drain refused: silo not active");

        Assert.Equal(ExitCodes.NotFoundOrPreconditionFailed, await run.RunAsync("silo", "drain", ScriptedChannel.Silo2));

        Assert.Equal("", run.Out);
        Assert.Contains("drain refused: silo not active", run.Error);
    }

    [Fact]
    public async Task Silo_remove_asks_the_router_to_remove_and_confirms()
    {
        var run = new CliRun();
        run.Gateway.ScriptScaleIn();

        Assert.Equal(ExitCodes.Ok, await run.RunAsync("silo", "remove", ScriptedChannel.Silo2));

        Assert.Equal("silo silo-2 is removed\n", run.Out);
        Assert.Equal((0UL, ScriptedChannel.Silo2, true), run.Gateway.ScaleInCall());
    }

    [Fact]
    public async Task Shard_transfer_leader_returns_once_the_target_leads()
    {
        var run = new CliRun();

        Assert.Equal(ExitCodes.Ok, await run.RunAsync("shard", "transfer-leader", "1", ScriptedChannel.Silo2));

        Assert.Equal("shard 1 is led by silo-2\n", run.Out);
        Assert.Equal(ScriptedChannel.Silo2, run.Gateway.View.Leaders.Single(l => l.ShardId == 1).SiloId);
    }

    [Fact]
    public async Task Shard_transfer_leader_to_a_silo_without_a_replica_exits_1()
    {
        var run = new CliRun();

        Assert.Equal(ExitCodes.NotFoundOrPreconditionFailed, await run.RunAsync("shard", "transfer-leader", "1", "silo-9"));

        Assert.Contains("no such silo", run.Error);
    }

    [Fact]
    public async Task Shard_transfer_leader_needs_a_numeric_shard()
    {
        var run = new CliRun();

        Assert.Equal(ExitCodes.Usage, await run.RunAsync("shard", "transfer-leader", "one", ScriptedChannel.Silo2));
    }

    [Fact]
    public async Task Shard_split_asks_the_router_and_prints_both_ranges()
    {
        var run = new CliRun();
        run.Gateway.ScriptSplit();

        Assert.Equal(ExitCodes.Ok, await run.RunAsync("shard", "split", "2", "--at", "3000000000"));

        Assert.Equal("shard 2 keeps [2147483648, 3000000000); shard 3 takes [3000000000, 4294967296)\n", run.Out);
        var call = run.Gateway.Calls.Single(c => c.Request.OpCase == ClientRequest.OpOneofCase.SplitShard);
        Assert.Equal((0UL, 2UL, 3000000000UL), (call.Target!.Value.ShardId, call.Request.SplitShard.ShardId, call.Request.SplitShard.SplitHash));
    }

    [Fact]
    public async Task Shard_split_without_a_hash_splits_at_the_middle()
    {
        var run = new CliRun();
        run.Gateway.ScriptSplit();

        Assert.Equal(ExitCodes.Ok, await run.RunAsync("shard", "split", "1"));

        Assert.Equal("shard 1 keeps [0, 1073741824); shard 3 takes [1073741824, 2147483648)\n", run.Out);
    }

    [Fact]
    public async Task Shard_split_refused_or_unknown_exits_1_and_a_bad_hash_is_a_usage_error()
    {
        var refused = new CliRun();
        refused.Gateway.ScriptSplit("split refused: the split hash is not strictly inside the shard's range");
        Assert.Equal(ExitCodes.NotFoundOrPreconditionFailed, await refused.RunAsync("shard", "split", "2", "--at", "5"));
        Assert.Contains("not strictly inside", refused.Error);

        var unknown = new CliRun();
        unknown.Gateway.ScriptSplit();
        Assert.Equal(ExitCodes.NotFoundOrPreconditionFailed, await unknown.RunAsync("shard", "split", "9"));
        Assert.Contains("no data shard 9", unknown.Error);

        Assert.Equal(ExitCodes.Usage, await new CliRun().RunAsync("shard", "split", "2", "--at", "middle"));
    }
}
