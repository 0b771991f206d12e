using MultiRaft.Cli;

return await CliApp.RunAsync(args, CliContext.FromConsole(), CancellationToken.None).ConfigureAwait(false);
