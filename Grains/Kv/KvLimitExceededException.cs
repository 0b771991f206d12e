namespace MultiRaft.Grains.Kv;

/// <summary>A key or value is larger than the configured maximum (HTTP 413). Nothing was written.</summary>
public sealed class KvLimitExceededException : Exception
{
    /// <summary>Creates the exception for <paramref name="what"/> of <paramref name="size"/> bytes over <paramref name="max"/>.</summary>
    public KvLimitExceededException(string what, int size, int max)
        : base($"{what} is {size} bytes, over the maximum of {max}")
    {
        What = what;
        Size = size;
        Max = max;
    }

    /// <summary>Creates the exception with a message.</summary>
    public KvLimitExceededException(string message)
        : base(message)
    {
        What = "";
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public KvLimitExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
        What = "";
    }

    /// <summary>Creates the exception without details.</summary>
    public KvLimitExceededException()
    {
        What = "";
    }

    /// <summary>"key" or "value".</summary>
    public string What { get; }

    /// <summary>The offending size in bytes.</summary>
    public int Size { get; }

    /// <summary>The configured maximum in bytes.</summary>
    public int Max { get; }
}
