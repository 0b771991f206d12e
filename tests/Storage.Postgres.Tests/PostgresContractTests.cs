using MultiRaft.Storage.Tests.Contract;

namespace MultiRaft.Storage.Postgres.Tests;

/// <summary>The contract, on PostgreSQL: each test in a schema of its own, dropped afterwards.</summary>
public sealed class PostgresContractTests(PostgresServerFixture server) : StorageContract
{
    private readonly string _schema = PostgresServerFixture.NewSchema("contract");

    protected override ValueTask<IStorageProvider> CreateProviderAsync() =>
        ValueTask.FromResult<IStorageProvider>(new PostgresStorageProvider(server.Options(_schema)));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await server.DropSchemaAsync(_schema);
    }
}
