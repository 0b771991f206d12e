namespace MultiRaft.Gateway;

/// <summary>Settings of the client gateway (section <c>MultiRaft:Gateway</c>).</summary>
public sealed class GatewayOptions
{
    /// <summary>The client protocol version this build speaks; clients speaking another are refused.</summary>
    public const uint ProtocolVersion = 1;

    /// <summary>The cluster this silo belongs to; clients naming another cluster are refused.</summary>
    public string ClusterId { get; set; } = "";

    /// <summary>This silo's id, told to clients in the hello reply.</summary>
    public string SiloId { get; set; } = "";

    /// <summary>The gateway port (Orleans' default).</summary>
    public int Port { get; set; } = 30000;

    /// <summary>The largest frame payload accepted or sent; a larger incoming frame closes the connection.</summary>
    public int MaxFrameSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>Requests of one connection being handled at once; the read loop waits for room beyond it.</summary>
    public int MaxInflightPerConnection { get; set; } = 4096;

    /// <summary>How long a new connection may take to send its hello.</summary>
    public TimeSpan HelloTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws with a clear message when a setting cannot work.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(ClusterId), "Gateway: ClusterId must be set.");
        Require(!string.IsNullOrWhiteSpace(SiloId), "Gateway: SiloId must be set.");
        Require(Port is >= 0 and <= 65535, $"Gateway: Port {Port} is not a TCP port.");
        Require(MaxFrameSize >= 1024, $"Gateway: MaxFrameSize {MaxFrameSize} is below 1024 bytes.");
        Require(MaxInflightPerConnection >= 1, $"Gateway: MaxInflightPerConnection {MaxInflightPerConnection} must be at least 1.");
        Require(HelloTimeout > TimeSpan.Zero, "Gateway: HelloTimeout must be positive.");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
