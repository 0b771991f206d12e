using Microsoft.Extensions.Configuration;
using MultiRaft.Silo.Hosting;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(SiloCommandLine.Usage);
    return 0;
}

// Later sources win: appsettings.json, then MultiRaft__* environment variables, then flags.
var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json", optional: true)
    .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
    .AddEnvironmentVariables()
    .AddCommandLine(args, SiloCommandLine.Switches.ToDictionary())
    .Build();
var options = configuration.GetSection(SiloOptions.Section).Get<SiloOptions>() ?? new SiloOptions();
var validation = new SiloOptionsValidator().Validate(null, options);
if (validation.Failed)
{
    await Console.Error.WriteLineAsync("multiraft silo: invalid settings:").ConfigureAwait(false);
    foreach (var failure in validation.Failures ?? [])
    {
        await Console.Error.WriteLineAsync("  " + failure).ConfigureAwait(false);
    }

    await Console.Error.WriteLineAsync("Run with --help for the flags.").ConfigureAwait(false);
    return 2;
}

try
{
    var app = await SiloHost.BuildAsync(options, configuration).ConfigureAwait(false);
    await app.RunAsync().ConfigureAwait(false);
    return Environment.ExitCode;
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or MultiRaft.Storage.StorageCorruptionException
    or Npgsql.NpgsqlException)
{
    // Storage that cannot be opened (a corrupt WAL record, a locked or unreadable directory,
    // a PostgreSQL server that does not answer) stops the silo before it serves anything, with
    // the reason. A recovery that fails while Orleans starts reaches here as it was thrown:
    // Orleans' lifecycle and the host rethrow a start stage's exception.
    await Console.Error.WriteLineAsync($"multiraft silo {options.SiloId}: cannot start: {ex.Message}").ConfigureAwait(false);
    return 1;
}
