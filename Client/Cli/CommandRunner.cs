using System.CommandLine;
using MultiRaft.Client;

namespace MultiRaft.Cli;

/// <summary>Gives each command the same frame: the connection from the globals, a connected client, error mapping.</summary>
internal sealed class CommandRunner(CliContext context, GlobalOptions globals)
{
    public CliContext Context { get; } = context;

    public void SetAction(Command command, Func<ParseResult, MultiRaftClient, TextWriter, CancellationToken, Task<int>> body) =>
        command.SetAction((parse, ct) => RunAsync(parse, body, ct));

    private async Task<int> RunAsync(ParseResult parse, Func<ParseResult, MultiRaftClient, TextWriter, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken)
    {
        if (!globals.TryCreate(parse, Context, out var connection, out var error))
        {
            await Context.Error.WriteLineAsync(error).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await CliErrors.GuardAsync(Context.Error, async () =>
        {
            var connected = await Context.Connect(connection, cancellationToken).ConfigureAwait(false);
            await using (connected.ConfigureAwait(false))
            {
                return await body(parse, connected.Client, Context.Out, cancellationToken).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }
}
