namespace MultiRaft.Transport;

/// <summary>The listening silo refused our handshake; <see cref="Exception.Message"/> carries its reason.</summary>
public sealed class HandshakeRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public HandshakeRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public HandshakeRefusedException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public HandshakeRefusedException()
    {
    }
}
