using MultiRaft.Client;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Cluster.Tests;

/// <summary>Splitting a shard as an operator would, for the tests that split under load.</summary>
internal static class Splits
{
    /// <summary>
    /// Splits at the middle, asking again while the router refuses because the shard's
    /// configuration is in doubt (a leader elected but not reported yet, a replica change in progress).
    /// </summary>
    public static async Task<(ShardDescriptor Shard, ShardDescriptor NewShard)> WhenSettledAsync(MultiRaftClient client, ulong shardId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await client.SplitShardAsync(shardId, cancellationToken: TestContext.Current.CancellationToken);
            }
            catch (OperationRefusedException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }
    }
}
