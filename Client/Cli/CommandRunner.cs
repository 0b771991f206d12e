using System.CommandLine;
using MultiRaft.Client;

namespace MultiRaft.Cli;

/// <summary>Gives each command the same frame: client options from the globals, a client, error mapping.</summary>
internal sealed class CommandRunner(CliContext context, GlobalOptions globals)
{
    public CliContext Context { get; } = context;

    public void SetAction(Command command, Func<ParseResult, MultiRaftClient, TextWriter, CancellationToken, Task<int>> body) =>
        command.SetAction((parse, ct) => RunAsync(parse, body, ct));

    private async Task<int> RunAsync(ParseResult parse, Func<ParseResult, MultiRaftClient, TextWriter, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken)
    {
        if (!globals.TryCreate(parse, Context, out var options, out var error))
        {
            await Context.Error.WriteLineAsync(error).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var client = Context.CreateClient(options);
        await using (client.ConfigureAwait(false))
        {
            return await CliErrors.GuardAsync(Context.Error, () => body(parse, client, Context.Out, cancellationToken)).ConfigureAwait(false);
        }
    }
}
