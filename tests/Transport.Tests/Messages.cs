using MultiRaft.Raft;

namespace MultiRaft.Transport.Tests;

public static class Messages
{
    public static Message Append(ulong from, ulong to, ulong index, byte[]? data = null) => new()
    {
        Type = MessageType.Append,
        From = from,
        To = to,
        Term = 3,
        LogTerm = 2,
        Index = index,
        Commit = index,
        Entries = [new Entry(3, index + 1, data ?? [1, 2, 3])],
    };

    public static TransportOptions Client(string siloId, string clusterId = "test-cluster") => new()
    {
        ClusterId = clusterId,
        SiloId = siloId,
        MaxFrameSize = 1024 * 1024,
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        HandshakeTimeout = TimeSpan.FromSeconds(5),
    };
}
