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
