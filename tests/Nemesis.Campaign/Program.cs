using System.Globalization;
using MultiRaft.Linearizability;
using MultiRaft.Nemesis;

// multiraft-nemesis: one long seeded run of the fault harness; exit code 0 only when the history checks Ok.
const string Usage = """
    multiraft-nemesis [--minutes M] [--seed S] [--silos 3|5] [--nemeses kill,pause,partition,netem,transfer,join,drain,split]
                      [--keys K] [--workers W] [--report DIR] [--data DIR] [--loopback]
                      [--clustering localhost|postgres] [--postgres CONN]
    Runs a cluster of Orleans silo processes under faults for M minutes (default 1), checks the
    history for linearizability and prints a summary. Exit code 0 only when the verdict is Ok.
    --clustering localhost (default): development clustering, s1 holds the membership table, so
    kill, pause and partition never target s1. postgres: Orleans ADO.NET clustering on PostgreSQL
    (any silo may be targeted, s1 included): --postgres CONN, else the server MULTIRAFT_PG names,
    else a throwaway server (Debian's postgresql package); the run uses a schema of its own and
    drops it. --data DIR keeps the silos' data and logs there.
    """;

var minutes = 1.0;
var seed = Environment.TickCount & 0xffff;
var silos = 3;
var keys = 5;
var workers = 8;
var nemeses = Enum.GetValues<NemesisKind>().ToList();
string? report = null;
string? data = null;
var loopback = false;
var clustering = ClusteringMode.Localhost;
string? postgres = null;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--minutes": minutes = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--silos": silos = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--keys": keys = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--workers": workers = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--report": report = Next(); break;
        case "--data": data = Next(); break;
        case "--loopback": loopback = true; break;
        case "--clustering": clustering = Enum.Parse<ClusteringMode>(Next(), ignoreCase: true); break;
        case "--postgres": postgres = Next(); break;
        case "--nemeses":
            nemeses = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(n => Enum.Parse<NemesisKind>(n, ignoreCase: true)).ToList();
            break;
        case "--help" or "-h":
            Console.WriteLine(Usage);
            return 0;
        default:
            Console.Error.WriteLine($"unknown flag {args[i]}\n{Usage}");
            return 2;
    }
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The run heals, kills its silos and removes its namespaces on the way out.
    e.Cancel = true;
    cancel.Cancel();
};

// --clustering postgres without --postgres: MULTIRAFT_PG, else a throwaway server for this run.
PostgresServer? server = null;
if (clustering == ClusteringMode.Postgres && string.IsNullOrEmpty(postgres))
{
    try
    {
        server = await PostgresServer.StartAsync(cancel.Token);
    }
    catch (InvalidOperationException e)
    {
        Console.Error.WriteLine($"multiraft-nemesis: {e.Message}");
        return 1;
    }

    postgres = server.ConnectionString;
    Console.WriteLine($"PostgreSQL: {server.Source}");
}

await using var serverScope = server;
var options = new RunOptions
{
    Seed = seed,
    Load = TimeSpan.FromMinutes(minutes),
    Nemeses = nemeses,
    Cluster = new ClusterOptions
    {
        Silos = silos, UseNamespaces = !loopback, Clustering = clustering, PostgresConnectionString = postgres,
        RootDirectory = data is null ? null : Directory.CreateDirectory(data).FullName,
    },
    Workload = new WorkloadOptions { Keys = keys, ClientWorkers = workers - workers / 4, HttpWorkers = workers / 4 },
    // Long histories take longer to check; the budget grows with the run.
    CheckBudget = TimeSpan.FromMinutes(Math.Max(2, minutes)),
    ReportDirectory = report,
};
if (clustering != ClusteringMode.Postgres && postgres is not null)
{
    Console.Error.WriteLine($"--postgres needs --clustering postgres\n{Usage}");
    return 2;
}

Console.WriteLine($"multiraft-nemesis: seed {seed}, {minutes} min, {silos} silos, {clustering.ToString().ToLowerInvariant()} clustering, "
    + $"nemeses {string.Join(",", nemeses)}");
RunResult result;
try
{
    result = await NemesisRun.RunAsync(options, line => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}"), cancel.Token);
}
catch (InvalidOperationException e)
{
    // The cluster never came up (the silos' log tails say why); everything was cleaned up.
    Console.Error.WriteLine($"multiraft-nemesis: {e.Message}");
    return 1;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("multiraft-nemesis: interrupted; silos killed, namespaces removed");
    return 130;
}

Console.WriteLine();
Console.WriteLine(result.Summary());
return result.Verdict == Verdict.Ok ? 0 : 1;
