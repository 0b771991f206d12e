namespace MultiRaft.Http;

/// <summary>Limits the HTTP API enforces before anything reaches the cluster.</summary>
public sealed class HttpApiOptions
{
    /// <summary>Largest key, in bytes after URL decoding; a longer key gets 400.</summary>
    public int MaxKeyBytes { get; set; } = 4096;

    /// <summary>Largest value (request body) in bytes; a larger body gets 413 and is not read past this.</summary>
    public int MaxValueBytes { get; set; } = 1024 * 1024;
}
