namespace MultiRaft.Storage;

/// <summary>
/// The storage could not do what it must (a write or a sync failed). The provider has stopped:
/// nothing more is written or acknowledged, and the silo must stop (fail stop; never retry an
/// fsync and report success).
/// </summary>
public class StorageFaultException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StorageFaultException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public StorageFaultException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public StorageFaultException()
    {
    }
}

/// <summary>A damaged record where a good one must be (not a torn tail): names the place.</summary>
public sealed class StorageCorruptionException : StorageFaultException
{
    /// <summary>Creates the exception for a damaged record in <paramref name="path"/> at <paramref name="offset"/>.</summary>
    public StorageCorruptionException(string path, long offset, string reason)
        : base($"corrupt record in {path} at offset {offset}: {reason}")
    {
        Path = path;
        Offset = offset;
    }

    /// <summary>Creates the exception.</summary>
    public StorageCorruptionException(string message)
        : base(message)
    {
        Path = "";
    }

    /// <summary>Creates the exception.</summary>
    public StorageCorruptionException(string message, Exception inner)
        : base(message, inner)
    {
        Path = "";
    }

    /// <summary>Creates the exception.</summary>
    public StorageCorruptionException()
    {
        Path = "";
    }

    /// <summary>The file (or table) holding the damaged record.</summary>
    public string Path { get; }

    /// <summary>The byte offset (or row) of the damaged record.</summary>
    public long Offset { get; }
}

/// <summary>
/// The storage directory is already held: another MultiRaft process (silo), or another silo in
/// this process, has it open. One process per data directory; two writing one log would corrupt
/// it. An <see cref="IOException"/>, so that the silo reports it at start and exits.
/// </summary>
public sealed class StorageLockedException : IOException
{
    /// <summary>Creates the exception for <paramref name="directory"/>, whose <paramref name="lockFile"/> another holds.</summary>
    public StorageLockedException(string directory, string lockFile, Exception? inner)
        : base($"the storage directory {directory} is in use by another MultiRaft process (silo), which holds its lock {lockFile}: "
            + "one silo per data directory, so stop that silo or give this one a directory of its own", inner)
    {
        Directory = directory;
    }

    /// <summary>Creates the exception.</summary>
    public StorageLockedException(string message)
        : base(message)
    {
        Directory = "";
    }

    /// <summary>Creates the exception.</summary>
    public StorageLockedException(string message, Exception inner)
        : base(message, inner)
    {
        Directory = "";
    }

    /// <summary>Creates the exception.</summary>
    public StorageLockedException()
    {
        Directory = "";
    }

    /// <summary>The directory another holds.</summary>
    public string Directory { get; }
}
