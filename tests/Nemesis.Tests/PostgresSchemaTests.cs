using System.Globalization;

namespace MultiRaft.Nemesis.Tests;

/// <summary>
/// Postgres-clustering runs never leave their schema behind: a run drops its own (checked after
/// every postgres run in <see cref="NemesisTests"/>), and leftovers of this machine's crashed runs
/// (whose process is gone) are dropped by the next run, while a live run's schema stays.
/// </summary>
public sealed class PostgresSchemaTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Leftover_schemas_of_gone_processes_are_dropped_and_live_ones_kept()
    {
        // A process id above the kernel's limit stands for a crashed run; this process for a live one.
        var dead = ClusterHarness.SchemaPrefix + "7ffffffe_00000000";
        var live = ClusterHarness.SchemaPrefix + string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId:x}_00000001");
        await postgres.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {dead}; CREATE TABLE {dead}.t (x int); CREATE SCHEMA IF NOT EXISTS {live}");
        try
        {
            var dropped = await ClusterHarness.RemoveLeftoverSchemasAsync(await postgres.ConnectionStringAsync(), CancellationToken.None);

            Assert.Contains(dead, dropped);
            Assert.DoesNotContain(live, dropped);
            var left = await postgres.SchemasAsync(ClusterHarness.SchemaPrefix);
            Assert.DoesNotContain(dead, left);
            Assert.Contains(live, left);
        }
        finally
        {
            await postgres.ExecuteAsync($"DROP SCHEMA IF EXISTS {dead} CASCADE; DROP SCHEMA IF EXISTS {live} CASCADE");
        }
    }
}
