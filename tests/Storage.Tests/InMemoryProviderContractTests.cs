using MultiRaft.Raft;
using MultiRaft.Storage.Tests.Contract;

namespace MultiRaft.Storage.Tests;

/// <summary>The contract, on the in-memory provider (the reference semantics).</summary>
public sealed class InMemoryProviderContractTests : StorageContract
{
    private readonly Dictionary<ReplicaId, MemoryStorage> _state = [];

    protected override ValueTask<IStorageProvider> CreateProviderAsync() =>
        ValueTask.FromResult<IStorageProvider>(new InMemoryStorageProvider(_state));
}
