using MultiRaft.LoadGen;

var command = new LoadGenCommand();
command.Root.SetAction(async (parse, cancellationToken) =>
{
    var problems = command.Bind(parse, out var options);
    if (problems.Count != 0)
    {
        foreach (var problem in problems)
        {
            await Console.Error.WriteLineAsync("multiraft-loadgen: " + problem);
        }

        return 2;
    }

    RunResult result;
    if (options.Orleans is { } orleans)
    {
        OrleansKvTarget target;
        try
        {
            target = await OrleansKvTarget.ConnectAsync(orleans, options.RequestTimeout, cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync("multiraft-loadgen: " + e.Message);
            return 1;
        }

        await using (target)
        {
            result = await ClosedLoopRunner.RunAsync(options, target, cancellationToken);
        }
    }
    else
    {
        using var target = HttpKvTarget.Create(options);
        result = await ClosedLoopRunner.RunAsync(options, target, cancellationToken);
    }

    Console.Out.Write(command.Json(parse) ? Report.Json(options, result) + Environment.NewLine : Report.Text(options, result));

    // Nothing succeeded: a script should notice (a wrong URL, no cluster).
    return result.Ops == 0 ? 1 : 0;
});

return await command.Root.Parse(args).InvokeAsync();
