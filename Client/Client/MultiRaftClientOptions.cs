namespace MultiRaft.Client;

/// <summary>Client settings.</summary>
public sealed class MultiRaftClientOptions
{
    /// <summary>Gateway addresses (<c>host:port</c>, default port 30000) to discover the cluster from.</summary>
    public IList<string> Endpoints { get; } = [];

    /// <summary>Refuse gateways of another cluster; empty accepts any.</summary>
    public string ClusterId { get; set; } = "";

    /// <summary>The whole budget of one call, retries included.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First retry delay; doubles up to <see cref="MaxRetryDelay"/>, with jitter.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Largest retry delay.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Connections per gateway (requests are pipelined on each).</summary>
    public int ConnectionsPerGateway { get; set; } = 2;
}
