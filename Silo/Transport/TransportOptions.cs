namespace MultiRaft.Transport;

/// <summary>Settings of the silo-to-silo transport (section <c>MultiRaft:Transport</c>).</summary>
public sealed class TransportOptions
{
    /// <summary>The protocol version this build speaks; the listener refuses others.</summary>
    public const uint ProtocolVersion = 1;

    /// <summary>The cluster this silo belongs to; connections from other clusters are refused.</summary>
    public string ClusterId { get; set; } = "";

    /// <summary>The service this silo belongs to (carried in the handshake, as in Orleans).</summary>
    public string ServiceId { get; set; } = "";

    /// <summary>This silo's id, sent in the handshake so the listener knows who is speaking.</summary>
    public string SiloId { get; set; } = "";

    /// <summary>The silo-to-silo port (Orleans' default).</summary>
    public int Port { get; set; } = 11111;

    /// <summary>The largest frame payload accepted or sent; a larger frame closes the connection.</summary>
    public int MaxFrameSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>Messages queued per destination silo; when full the oldest is dropped and reported unreachable.</summary>
    public int SendQueueCapacity { get; set; } = 16 * 1024;

    /// <summary>The first reconnect delay after a failed connection; it doubles on each failure.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The cap of the reconnect delay.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long connecting plus the handshake may take, on either side.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The image bytes per snapshot chunk frame (at most a frame's room after the chunk's header).
    /// Smaller chunks let other shards' messages through sooner while a snapshot streams.
    /// </summary>
    public int SnapshotChunkSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// The largest snapshot image sent or received. A listener refuses a snapshot announcing more
    /// (closing that connection), and never holds more than this in partial snapshots per connection.
    /// </summary>
    public long MaxSnapshotBytes { get; set; } = 1L << 30;

    /// <summary>How long writing and flushing one frame may take before the peer is deemed stuck and the connection closed.</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws with a clear message when a setting cannot work.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(ClusterId), "Transport: ClusterId must be set.");
        Require(!string.IsNullOrWhiteSpace(SiloId), "Transport: SiloId must be set.");
        Require(Port is >= 0 and <= 65535, $"Transport: Port {Port} is not a TCP port.");
        Require(MaxFrameSize >= 1024, $"Transport: MaxFrameSize {MaxFrameSize} is below 1024 bytes.");
        Require(SendQueueCapacity >= 1, $"Transport: SendQueueCapacity {SendQueueCapacity} must be at least 1.");
        Require(ReconnectInitialDelay > TimeSpan.Zero, "Transport: ReconnectInitialDelay must be positive.");
        Require(ReconnectMaxDelay >= ReconnectInitialDelay, "Transport: ReconnectMaxDelay must be at least ReconnectInitialDelay.");
        Require(HandshakeTimeout > TimeSpan.Zero, "Transport: HandshakeTimeout must be positive.");
        Require(SnapshotChunkSize >= 1, $"Transport: SnapshotChunkSize {SnapshotChunkSize} must be at least 1.");
        // A received image is one array.
        Require(MaxSnapshotBytes is >= 1 and <= int.MaxValue - 64,
            $"Transport: MaxSnapshotBytes {MaxSnapshotBytes} must be between 1 and {int.MaxValue - 64}.");
        Require(WriteTimeout > TimeSpan.Zero, "Transport: WriteTimeout must be positive.");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
