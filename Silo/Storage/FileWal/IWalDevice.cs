namespace MultiRaft.Storage.FileWal;

/// <summary>
/// The one directory a <see cref="FileWalProvider"/> keeps its segments and snapshots in. An
/// interface so that tests can stand a fault-injecting device in for the disk: every durability
/// step the provider relies on (a file sync, a directory sync) is a call here, so a test can
/// drop whatever was not synced, tear a write or fail a sync.
/// </summary>
public interface IWalDevice
{
    /// <summary>Where the files live, for error messages.</summary>
    string Location { get; }

    /// <summary>
    /// Takes the directory for the caller alone until the returned handle is disposed: one
    /// provider, in one process, per directory. Throws <see cref="StorageLockedException"/> if
    /// another holds it.
    /// </summary>
    IDisposable Lock();

    /// <summary>The names of the files in the directory, in ordinal order.</summary>
    IReadOnlyList<string> List();

    /// <summary>Opens an existing file for reading and writing.</summary>
    IWalFile Open(string name);

    /// <summary>
    /// Creates (or empties) a file. <paramref name="preallocate"/> bytes of space may be reserved,
    /// and the file may be given that length (zero-filled), so that later syncs need not update
    /// the file's allocation or size.
    /// </summary>
    IWalFile Create(string name, long preallocate);

    /// <summary>Deletes a file if it exists. Durable only after <see cref="SyncDirectory"/>.</summary>
    void Delete(string name);

    /// <summary>Renames a file, replacing any file of the new name. Durable only after <see cref="SyncDirectory"/>.</summary>
    void Rename(string from, string to);

    /// <summary>Makes the directory's entries (creations, renames, deletions) durable.</summary>
    void SyncDirectory();
}

/// <summary>One open file of an <see cref="IWalDevice"/>, addressed by offset.</summary>
public interface IWalFile : IDisposable
{
    /// <summary>The file's length in bytes.</summary>
    long Length { get; }

    /// <summary>Reads up to <c>into.Length</c> bytes at <paramref name="offset"/>; returns how many were read.</summary>
    int Read(long offset, Span<byte> into);

    /// <summary>Writes all of <paramref name="data"/> at <paramref name="offset"/>.</summary>
    void Write(long offset, ReadOnlySpan<byte> data);

    /// <summary>Sets the file's length (truncates or extends with zeroes).</summary>
    void SetLength(long length);

    /// <summary>Makes the file's data durable (fdatasync semantics).</summary>
    void Sync();
}
