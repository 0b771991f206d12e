using MultiRaft.Storage.FileWal;

namespace MultiRaft.Storage.Bench;

/// <summary>The real disk, counting file syncs: the WAL's fsyncs per second are read from it.</summary>
internal sealed class CountingDevice(IWalDevice inner) : IWalDevice
{
    private long _syncs;

    public long Syncs => Interlocked.Read(ref _syncs);

    public string Location => inner.Location;

    public IDisposable Lock() => inner.Lock();

    public IReadOnlyList<string> List() => inner.List();

    public IWalFile Open(string name) => new CountingFile(inner.Open(name), this);

    public IWalFile Create(string name, long preallocate) => new CountingFile(inner.Create(name, preallocate), this);

    public void Delete(string name) => inner.Delete(name);

    public void Rename(string from, string to) => inner.Rename(from, to);

    public void SyncDirectory() => inner.SyncDirectory();

    private sealed class CountingFile(IWalFile file, CountingDevice owner) : IWalFile
    {
        public long Length => file.Length;

        public int Read(long offset, Span<byte> into) => file.Read(offset, into);

        public void Write(long offset, ReadOnlySpan<byte> data) => file.Write(offset, data);

        public void SetLength(long length) => file.SetLength(length);

        public void Sync()
        {
            file.Sync();
            Interlocked.Increment(ref owner._syncs);
        }

        public void Dispose() => file.Dispose();
    }
}
