namespace MultiRaft.Client;

/// <summary>Client settings. Which cluster it reaches is the Orleans client's (or silo's) business.</summary>
public sealed class MultiRaftClientOptions
{
    /// <summary>The whole budget of one call, retries included.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First retry delay; doubles up to <see cref="MaxRetryDelay"/>, with jitter.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Largest retry delay.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}
