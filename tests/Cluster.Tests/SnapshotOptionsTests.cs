using MultiRaft.Silo.Hosting;

namespace MultiRaft.Cluster.Tests;

/// <summary>The snapshot streaming settings a silo accepts, and the reasons it gives for the ones it refuses.</summary>
public sealed class SnapshotOptionsTests
{
    [Theory]
    [InlineData(1 << 20, 64L << 20, null)]
    [InlineData(1024, 0L, null)]
    [InlineData(1024, 1024L, null)]
    [InlineData(1023, 64L << 20, "SnapshotChunkBytes")]
    [InlineData((64 << 20) + 1, 0L, "SnapshotChunkBytes")]
    [InlineData(1 << 20, 1000L, "SnapshotBytesPerSecond (1000) must be 0 (unpaced) or at least SnapshotChunkBytes (1048576)")]
    public void Chunk_size_and_pace_are_checked(int chunkBytes, long bytesPerSecond, string? error)
    {
        var options = new SiloOptions { SiloId = "s1", SnapshotChunkBytes = chunkBytes, SnapshotBytesPerSecond = bytesPerSecond };
        var result = new SiloOptionsValidator().Validate(null, options);
        if (error is null)
        {
            Assert.True(result.Succeeded, result.FailureMessage);
        }
        else
        {
            Assert.True(result.Failed);
            Assert.Contains(error, result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
