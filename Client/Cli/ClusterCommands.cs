using System.CommandLine;
using System.Globalization;

namespace MultiRaft.Cli;

/// <summary>
/// The operator commands: <c>cluster status</c> (silos and shards as tables), <c>silo drain</c>, <c>silo undrain</c>,
/// <c>silo remove</c>, <c>shard transfer-leader</c> and <c>shard split</c>.
/// </summary>
internal static class ClusterCommands
{
    public static Command Cluster(CommandRunner runner)
    {
        var status = new Command("status", "Show silos, shards and leaders");
        runner.SetAction(status, async (parse, client, output, ct) =>
        {
            var view = await client.GetClusterAsync(ct).ConfigureAwait(false);
            ClusterStatusView.WriteTo(view, output);
            return ExitCodes.Ok;
        });
        return new Command("cluster", "Inspect the cluster") { status };
    }

    public static Command Silo(CommandRunner runner)
    {
        var silo = new Argument<string>("silo") { Description = "The silo's id" };
        var drain = new Command("drain", "Move a silo's leaders and data replicas to the other silos (in the background)") { silo };
        runner.SetAction(drain, async (parse, client, output, ct) =>
        {
            var id = parse.GetValue(silo)!;
            var left = await client.DrainSiloAsync(id, ct).ConfigureAwait(false);
            await output.WriteLineAsync($"silo {id} is draining: {left.ToString(CultureInfo.InvariantCulture)} data replicas left to move")
                .ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        var removed = new Argument<string>("silo") { Description = "The silo's id" };
        var remove = new Command("remove", "Take a drained silo out of the cluster; the silo then stops itself") { removed };
        runner.SetAction(remove, async (parse, client, output, ct) =>
        {
            var id = parse.GetValue(removed)!;
            await client.RemoveSiloAsync(id, ct).ConfigureAwait(false);
            await output.WriteLineAsync($"silo {id} is removed").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        var undrained = new Argument<string>("silo") { Description = "The silo's id" };
        var undrain = new Command("undrain", "Make a draining silo active again; it takes replicas and leaders again") { undrained };
        runner.SetAction(undrain, async (parse, client, output, ct) =>
        {
            var id = parse.GetValue(undrained)!;
            await client.UndrainSiloAsync(id, ct).ConfigureAwait(false);
            await output.WriteLineAsync($"silo {id} is active").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return new Command("silo", "Scale silos in and back") { drain, undrain, remove };
    }

    public static Command Shard(CommandRunner runner)
    {
        var shard = new Argument<ulong>("shard") { Description = "The shard's id" };
        var to = new Argument<string>("silo") { Description = "The silo whose replica is to lead" };
        var transfer = new Command("transfer-leader", "Move a shard's leadership to its replica on a silo; returns once that replica leads") { shard, to };
        runner.SetAction(transfer, async (parse, client, output, ct) =>
        {
            var id = parse.GetValue(shard);
            var silo = parse.GetValue(to)!;
            await client.TransferLeaderAsync(id, silo, ct).ConfigureAwait(false);
            await output.WriteLineAsync($"shard {id.ToString(CultureInfo.InvariantCulture)} is led by {silo}").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        var splitShard = new Argument<ulong>("shard") { Description = "The shard's id" };
        var at = new Option<ulong?>("--at") { Description = "The key hash to split at, strictly inside the shard's range (default: the middle)" };
        var split = new Command("split", "Split a shard in two: the new shard takes the keys from the hash to the range's end") { splitShard, at };
        runner.SetAction(split, async (parse, client, output, ct) =>
        {
            var id = parse.GetValue(splitShard);
            var (kept, added) = await client.SplitShardAsync(id, parse.GetValue(at), ct).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"shard {kept.ShardId} keeps [{kept.HashStart}, {kept.HashEnd}); shard {added.ShardId} takes [{added.HashStart}, {added.HashEnd})")).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return new Command("shard", "Steer shards") { transfer, split };
    }
}
