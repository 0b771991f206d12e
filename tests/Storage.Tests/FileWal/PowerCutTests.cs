using static MultiRaft.Storage.Tests.FileWal.WalKit;

namespace MultiRaft.Storage.Tests.FileWal;

/// <summary>
/// TESTING.md 9: the power goes at a random point of a random workload; everything not synced
/// is lost, and the last write may be torn. Everything acknowledged survives, nothing else
/// corrupts recovery: the recovered state is the reference state after some number of
/// operations between the acknowledged ones and the started ones.
/// </summary>
public sealed class PowerCutTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    public async Task AcknowledgedOperationsSurviveAPowerCut(int seed)
    {
        var random = new Random(seed);
        var workload = RandomWorkload.Build(seed, replicas: 6, operations: 300);
        var states = await workload.ReferenceStatesAsync();
        var stopAfter = workload.Count / 3 + random.Next(workload.Count * 2 / 3);
        var device = new FaultyWalDevice();
        var p = await OpenAsync(device, segmentSize: 4096, spares: 1);

        var (acknowledged, started) = await workload.RunAsync(p, stopAfter);
        var image = device.PowerCut(tearLastWriteAt: random.Next(2) == 0 ? null : random.Next(200));
        await p.DisposeAsync();

        var state = await RecoverAsync(image, 4096);
        var match = ReferenceRun.MatchingPrefix(states, acknowledged, started, state);
        Assert.True(match >= 0, $"seed {seed}: the recovered state matches no prefix between {acknowledged} and {started} operations");

        // The recovered log goes on: the rest of the workload on top of it ends where the reference ends.
        await using (var q = await OpenAsync(image, 4096, spares: 1))
        {
            Assert.Equal((workload.Count, workload.Count), await workload.RunAsync(q, from: match));
        }

        AssertSameState(states[^1], await RecoverAsync(image, 4096));
    }
}
