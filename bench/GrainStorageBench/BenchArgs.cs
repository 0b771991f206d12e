using System.Globalization;

namespace MultiRaft.GrainStorage.Bench;

/// <summary>The benchmark's settings, from <c>--name value</c> pairs.</summary>
internal sealed record BenchArgs(int Grains, int[] StateBytes, int Concurrency, int Seconds, int Warmup, string[] Backends, string? Postgres)
{
    /// <summary>Silos of each run's cluster (and MultiRaft replicas of each shard).</summary>
    public const short Silos = 3;

    public const string Usage = """
        usage: MultiRaft.GrainStorage.Bench [--grains 1024] [--bytes 100,1024] [--concurrency 128]
                                            [--seconds 30] [--warmup 5] [--backends multiraft,adonet] [--pg <Npgsql connection string>]
        Without --pg (or MULTIRAFT_PG) a throwaway PostgreSQL server is started from /usr/lib/postgresql.
        """;

    public static BenchArgs? Parse(string[] args, TextWriter error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                error.WriteLine(Usage);
                return null;
            }

            values[args[i][2..]] = args[i + 1];
        }

        try
        {
            var parsed = new BenchArgs(
                Int(values, "grains", 1024),
                [.. Get(values, "bytes", "100,1024").Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture))],
                Int(values, "concurrency", 128),
                Int(values, "seconds", 30),
                Int(values, "warmup", 5),
                Get(values, "backends", "multiraft,adonet").Split(','),
                values.GetValueOrDefault("pg") ?? Environment.GetEnvironmentVariable("MULTIRAFT_PG"));
            var unknown = values.Keys.Except(["grains", "bytes", "concurrency", "seconds", "warmup", "backends", "pg"]).ToArray();
            if (unknown.Length > 0 || parsed.Grains < 1 || parsed.Concurrency < 1 || parsed.Seconds < 1 || parsed.Warmup < 0
                || parsed.StateBytes.Any(b => b < 0) || parsed.Backends.Except(["multiraft", "adonet"]).Any())
            {
                error.WriteLine(Usage);
                return null;
            }

            return parsed;
        }
        catch (FormatException)
        {
            error.WriteLine(Usage);
            return null;
        }
    }

    private static string Get(Dictionary<string, string> values, string name, string fallback) => values.GetValueOrDefault(name) ?? fallback;

    private static int Int(Dictionary<string, string> values, string name, int fallback) =>
        values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
