using System.CommandLine;
using System.Globalization;
using System.Text;
using MultiRaft.Client;

namespace MultiRaft.Cli;

/// <summary>The key commands: <c>put</c>, <c>get</c>, <c>del</c>, <c>cas</c>, <c>scan</c>. Keys and values are UTF-8 text.</summary>
internal static class KvCommands
{
    public const int DefaultScanLimit = 100;
    public const int MaxScanLimit = 10_000;

    public static Command Put(CommandRunner runner)
    {
        var key = new Argument<string>("key") { Description = "The key" };
        var value = new Argument<string>("value") { Description = "The value" };
        var ifVersion = new Option<ulong?>("--if-version") { Description = "Write only if the key's version is N" };
        var ifAbsent = new Option<bool>("--if-absent") { Description = "Write only if the key does not exist" };
        var command = new Command("put", "Write a key") { key, value, ifVersion, ifAbsent };
        command.Validators.Add(result =>
        {
            // Ask whether the option was given, not its value: a value that failed to parse would throw here.
            if (result.GetResult(ifVersion) is not null && result.GetValue(ifAbsent))
            {
                result.AddError("--if-version and --if-absent cannot be combined");
            }
        });
        runner.SetAction(command, async (parse, client, output, ct) =>
        {
            var options = new WriteOptions { IfVersion = parse.GetValue(ifVersion), IfAbsent = parse.GetValue(ifAbsent) };
            var version = await client.PutAsync(Bytes(parse.GetValue(key)), Bytes(parse.GetValue(value)), options, ct).ConfigureAwait(false);
            await output.WriteLineAsync("version " + version.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Get(CommandRunner runner)
    {
        var key = new Argument<string>("key") { Description = "The key" };
        var stale = new Option<bool>("--stale") { Description = "Read any replica's local state (may be stale)" };
        var command = new Command("get", "Read a key's value") { key, stale };
        runner.SetAction(command, async (parse, client, output, ct) =>
        {
            var consistency = parse.GetValue(stale) ? ReadConsistency.Stale : ReadConsistency.Linearizable;
            var entry = await client.GetAsync(Bytes(parse.GetValue(key)), consistency, ct).ConfigureAwait(false);
            if (entry is null)
            {
                await runner.Context.Error.WriteLineAsync("not found").ConfigureAwait(false);
                return ExitCodes.NotFoundOrPreconditionFailed;
            }

            await output.WriteLineAsync(Encoding.UTF8.GetString(entry.Value.Span)).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Delete(CommandRunner runner)
    {
        var key = new Argument<string>("key") { Description = "The key" };
        var ifVersion = new Option<ulong?>("--if-version") { Description = "Delete only if the key's version is N" };
        var command = new Command("del", "Delete a key") { key, ifVersion };
        runner.SetAction(command, async (parse, client, output, ct) =>
        {
            var options = new WriteOptions { IfVersion = parse.GetValue(ifVersion) };
            if (!await client.DeleteAsync(Bytes(parse.GetValue(key)), options, ct).ConfigureAwait(false))
            {
                await runner.Context.Error.WriteLineAsync("not found").ConfigureAwait(false);
                return ExitCodes.NotFoundOrPreconditionFailed;
            }

            await output.WriteLineAsync("deleted").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command CompareAndSet(CommandRunner runner)
    {
        var key = new Argument<string>("key") { Description = "The key" };
        var expected = new Argument<ulong>("expected-version") { Description = "The version the key must have (0 = absent)" };
        var value = new Argument<string>("value") { Description = "The new value" };
        var command = new Command("cas", "Write a key only if its version is the expected one") { key, expected, value };
        runner.SetAction(command, async (parse, client, output, ct) =>
        {
            var version = await client.CompareAndSetAsync(Bytes(parse.GetValue(key)), Bytes(parse.GetValue(value)), parse.GetValue(expected), ct)
                .ConfigureAwait(false);
            await output.WriteLineAsync("version " + version.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Scan(CommandRunner runner)
    {
        var prefix = new Option<string>("--prefix") { Description = "Only keys starting with this", DefaultValueFactory = _ => "" };
        var limit = new Option<int>("--limit") { Description = $"At most this many keys (1 to {MaxScanLimit})", DefaultValueFactory = _ => DefaultScanLimit };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > MaxScanLimit)
            {
                result.AddError($"--limit must be from 1 to {MaxScanLimit}");
            }
        });
        var command = new Command("scan", "List keys in order, across all shards") { prefix, limit };
        runner.SetAction(command, async (parse, client, output, ct) =>
        {
            var entries = await client.ScanAsync(Bytes(parse.GetValue(prefix)), parse.GetValue(limit), cancellationToken: ct).ConfigureAwait(false);
            var table = new TextTable("KEY", "VERSION", "VALUE");
            foreach (var entry in entries)
            {
                table.AddRow(Printable.Of(entry.Key.Span), entry.Version.ToString(CultureInfo.InvariantCulture), Printable.Of(entry.Value.Span));
            }

            table.WriteTo(output);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static byte[] Bytes(string? text) => Encoding.UTF8.GetBytes(text ?? "");
}
