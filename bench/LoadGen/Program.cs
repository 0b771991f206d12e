using System.CommandLine;
using MultiRaft.LoadGen;

var urls = new Option<string[]>("--url")
{
    Description = "HTTP base URL of a silo; repeat or list several (clients are spread round-robin)",
    AllowMultipleArgumentsPerToken = true,
    DefaultValueFactory = _ => ["http://127.0.0.1:8080"],
};
var clients = new Option<int>("--clients") { Description = "concurrent closed-loop clients", DefaultValueFactory = _ => 64 };
var keys = new Option<int>("--keys") { Description = "key space: keys key%08d drawn from 1..KEYS", DefaultValueFactory = _ => 100_000 };
var valueSize = new Option<int>("--value-size") { Description = "bytes per written value", DefaultValueFactory = _ => 100 };
var readRatio = new Option<double>("--read-ratio") { Description = "fraction of requests that are reads, 0..1", DefaultValueFactory = _ => 0.0 };
var duration = new Option<double>("--duration") { Description = "measured seconds", DefaultValueFactory = _ => 10.0 };
var warmup = new Option<double>("--warmup") { Description = "seconds of load before measuring", DefaultValueFactory = _ => 2.0 };
var seed = new Option<int>("--seed") { Description = "seed of each client's key and operation choice", DefaultValueFactory = _ => 1 };
var timeout = new Option<double>("--timeout") { Description = "per-request timeout in seconds", DefaultValueFactory = _ => 10.0 };
var requests = new Option<int?>("--requests") { Description = "stop each client after this many requests (optional)" };
var json = new Option<bool>("--json") { Description = "print the result as one JSON object" };

var root = new RootCommand("Closed-loop HTTP load generator for MultiRaft's PUT/GET /kv/{key} API.")
{
    urls, clients, keys, valueSize, readRatio, duration, warmup, seed, timeout, requests, json,
};

root.SetAction(async (parse, cancellationToken) =>
{
    var parsedUrls = new List<Uri>();
    foreach (var text in parse.GetValue(urls) ?? [])
    {
        // A base URL without a trailing slash would make "kv/..." replace its last path segment.
        if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri))
        {
            await Console.Error.WriteLineAsync($"multiraft-loadgen: --url {text} is not an absolute URL");
            return 2;
        }

        parsedUrls.Add(uri);
    }

    var options = new LoadOptions
    {
        Urls = parsedUrls,
        Clients = parse.GetValue(clients),
        Keys = parse.GetValue(keys),
        ValueSize = parse.GetValue(valueSize),
        ReadRatio = parse.GetValue(readRatio),
        Duration = TimeSpan.FromSeconds(parse.GetValue(duration)),
        Warmup = TimeSpan.FromSeconds(parse.GetValue(warmup)),
        Seed = parse.GetValue(seed),
        RequestTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
        RequestsPerClient = parse.GetValue(requests),
    };
    var problems = options.Validate();
    if (problems.Count != 0)
    {
        foreach (var problem in problems)
        {
            await Console.Error.WriteLineAsync("multiraft-loadgen: " + problem);
        }

        return 2;
    }

    using var handler = new SocketsHttpHandler
    {
        // One connection per client per silo at most, so no client ever queues behind another.
        MaxConnectionsPerServer = options.Clients,
        UseCookies = false,
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    };
    var result = await ClosedLoopRunner.RunAsync(options, handler, cancellationToken);
    Console.Out.Write(parse.GetValue(json) ? Report.Json(options, result) + Environment.NewLine : Report.Text(options, result));

    // Nothing succeeded: a script should notice (a wrong URL, no cluster).
    return result.Ops == 0 ? 1 : 0;
});

return await root.Parse(args).InvokeAsync();
