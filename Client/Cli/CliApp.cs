using System.CommandLine;

namespace MultiRaft.Cli;

/// <summary>The <c>multiraft</c> command tree and one run of it.</summary>
internal static class CliApp
{
    public static RootCommand Build(CliContext context)
    {
        var globals = new GlobalOptions();
        var runner = new CommandRunner(context, globals);
        var root = new RootCommand(
            "multiraft: read, write and inspect a MultiRaft cluster as an Orleans client through any silo's gateway.\n" +
            "Exit codes: 0 ok, 1 not found or precondition failed, 2 usage, 3 unavailable, 4 outcome unknown, 5 other error.");
        root.Options.Add(globals.Endpoints);
        root.Options.Add(globals.Postgres);
        root.Options.Add(globals.PostgresSchema);
        root.Options.Add(globals.ClusterId);
        root.Options.Add(globals.ServiceId);
        root.Options.Add(globals.Timeout);
        root.Subcommands.Add(KvCommands.Put(runner));
        root.Subcommands.Add(KvCommands.Get(runner));
        root.Subcommands.Add(KvCommands.Delete(runner));
        root.Subcommands.Add(KvCommands.CompareAndSet(runner));
        root.Subcommands.Add(KvCommands.Scan(runner));
        root.Subcommands.Add(ClusterCommands.Cluster(runner));
        root.Subcommands.Add(ClusterCommands.Silo(runner));
        root.Subcommands.Add(ClusterCommands.Shard(runner));
        return root;
    }

    /// <summary>Parses and runs; a command line that does not parse exits with <see cref="ExitCodes.Usage"/>.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken)
    {
        var parse = Build(context).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await context.Error.WriteLineAsync(error.Message).ConfigureAwait(false);
            }

            await context.Error.WriteLineAsync("Run 'multiraft --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration { Output = context.Out, Error = context.Error };
        return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }
}
