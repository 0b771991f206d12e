namespace MultiRaft.Grains.Interfaces.Framing;

/// <summary>A frame that cannot be accepted: oversized, of an unknown kind, unparsable or cut off.</summary>
public sealed class FrameException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FrameException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public FrameException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public FrameException()
    {
    }
}
