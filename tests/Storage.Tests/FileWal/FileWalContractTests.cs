using MultiRaft.Storage.FileWal;
using MultiRaft.Storage.Tests.Contract;

namespace MultiRaft.Storage.Tests.FileWal;

/// <summary>The contract on real files, in a temporary directory per test.</summary>
public sealed class FileWalContractTests : StorageContract
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "multiraft-wal-" + Guid.NewGuid().ToString("N"));

    protected override ValueTask<IStorageProvider> CreateProviderAsync() =>
        ValueTask.FromResult<IStorageProvider>(new FileWalProvider(new FileWalOptions { Directory = _directory, PreallocateSize = 1 << 20 }));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}

/// <summary>
/// The contract on the in-memory fault device with tiny segments, so that every test also rolls
/// segments, deletes them and replays checkpoints.
/// </summary>
public sealed class FileWalSmallSegmentContractTests : StorageContract
{
    private readonly FaultyWalDevice _device = new();

    protected override ValueTask<IStorageProvider> CreateProviderAsync() =>
        ValueTask.FromResult<IStorageProvider>(new FileWalProvider(new FileWalOptions { Device = _device, SegmentSize = 4096, MaxSpareSegments = 1 }));
}
