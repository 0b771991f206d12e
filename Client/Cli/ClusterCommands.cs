using System.CommandLine;

namespace MultiRaft.Cli;

/// <summary><c>cluster status</c>: silos and shards as tables.</summary>
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
}
