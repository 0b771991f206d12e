using MultiRaft.Tests.Support;

namespace MultiRaft.Samples.Tests;

/// <summary>samples/EmbeddedShop: an Orleans app with MultiRaft in its own silo, run as a user runs it.</summary>
public sealed class EmbeddedShopTests
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Demo_prints_its_cart_and_a_second_run_on_the_same_data_finds_the_first_runs_items()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDir = Directory.CreateTempSubdirectory("multiraft-shop-");
        try
        {
            // The same ports both times: a restarted silo comes back where it was.
            var ports = Ports.Free(2);
            string[] args = ["--demo", "--silo-port", $"{ports[0]}", "--gateway-port", $"{ports[1]}", "--data-dir", dataDir.FullName];

            Assert.Equal(
                [
                    "cart/demo at start: (empty)",
                    "added 2 apple: apple x2",
                    "added 1 pear: apple x2, pear x1",
                    "10 concurrent adds of 1 plum: apple x2, pear x1, plum x10",
                    "removed pear: apple x2, plum x10",
                ],
                await RunDemoAsync(args, dataDir.FullName, ct));

            Assert.Equal(
                [
                    "cart/demo at start: apple x2, plum x10",
                    "added 2 apple: apple x4, plum x10",
                    "added 1 pear: apple x4, pear x1, plum x10",
                    "10 concurrent adds of 1 plum: apple x4, pear x1, plum x20",
                    "removed pear: apple x4, plum x20",
                ],
                await RunDemoAsync(args, dataDir.FullName, ct));
        }
        finally
        {
            dataDir.Delete(recursive: true);
        }
    }

    private static async Task<IReadOnlyList<string>> RunDemoAsync(string[] args, string workingDirectory, CancellationToken ct)
    {
        await using var shop = SampleProcess.Start(SampleBinaries.EmbeddedShop, args, workingDirectory);
        var exitCode = await shop.WaitForExitAsync(RunLimit, ct);
        Assert.True(exitCode == 0, shop.Describe());
        return shop.Output;
    }
}
