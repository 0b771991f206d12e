using System.Text;
using MultiRaft.Storage.Postgres.Tests;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// The same cluster on the PostgreSQL storage provider: three silos share one database (each
/// under its own silo id), a silo restarted from the database rejoins with its state.
/// </summary>
public sealed class PostgresClusterTests
{
    [Fact]
    public async Task Three_silos_on_postgres_serve_writes_and_a_restarted_silo_recovers_from_the_database()
    {
        var configured = Environment.GetEnvironmentVariable("MULTIRAFT_PG");
        await using var server = string.IsNullOrWhiteSpace(configured)
            ? await ThrowawayPostgres.StartAsync(ThrowawayPostgres.FindBinaries()
                ?? throw new InvalidOperationException("install Debian's postgresql package or set MULTIRAFT_PG"))
            : null;
        var connection = configured is { Length: > 0 } c ? c : server!.ConnectionString;
        var schema = $"cluster_{Guid.NewGuid():N}";
        await using var cluster = await InProcessCluster.StartAsync(silos: 3, shards: 4, o =>
        {
            o.Storage = "postgres";
            o.PostgresConnectionString = connection;
            o.PostgresSchema = schema;
        });
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(60));
        await using var client = cluster.NewClient();
        var versions = new Dictionary<string, ulong>();
        foreach (var i in Enumerable.Range(0, 50))
        {
            versions[$"pg/{i}"] = await client.PutAsync(Encoding.UTF8.GetBytes($"pg/{i}"), Encoding.UTF8.GetBytes($"v{i}"));
        }

        // s3, never s1: development clustering keeps Orleans' membership table in s1's memory.
        await cluster.StopSiloAsync(2);
        foreach (var i in Enumerable.Range(50, 50))
        {
            versions[$"pg/{i}"] = await client.PutAsync(Encoding.UTF8.GetBytes($"pg/{i}"), Encoding.UTF8.GetBytes($"v{i}"));
        }

        await cluster.RestartSiloAsync(2);
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(60));
        foreach (var (key, version) in versions)
        {
            var got = await client.GetAsync(Encoding.UTF8.GetBytes(key));
            Assert.Equal(version, got!.Version);
        }
    }
}
