namespace MultiRaft.LoadGen;

/// <summary>
/// Where the load goes: sends one operation and says how it ended. The runner owns timing and
/// recording; a target only talks to the cluster (over HTTP, or through the Orleans client).
/// </summary>
public interface IKvTarget
{
    /// <summary>
    /// Sends one operation as client number <paramref name="client"/>; <paramref name="value"/> is
    /// the bytes to write (unused by reads). Returns null on success or the cause of a failure the
    /// target recognises (<c>status 503</c>, <c>timeout</c>); any other failure may be thrown, and
    /// the runner counts it under its exception type's name.
    /// </summary>
    ValueTask<string?> SendAsync(int client, OpKind kind, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken);
}
