using MultiRaft.Client;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Tests.Support;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Cluster.Tests.MultiProcess;

/// <summary>
/// Silo processes on loopback under a continuous write load through the Orleans client: 3 silos
/// grow to 5 and balance; one of the new silos is killed (SIGKILL) and its replicas are replaced
/// once it has been away past its down time; the other is drained and removed, leaving 3. No
/// write fails, and every acknowledged write is then readable at its version.
/// </summary>
public sealed class ElasticTests(ITestOutputHelper output) : IDisposable
{
    private const int Shards = 8;
    private readonly string _root = Directory.CreateTempSubdirectory("multiraft-elastic-").FullName;
    private readonly List<SiloProcess> _silos = [];

    [Fact]
    public async Task Scale_out_to_five_lose_one_drain_one_with_no_failed_write()
    {
        var ports = Ports.Free(15);
        for (var i = 0; i < 5; i++)
        {
            // A short down time, so that the killed silo is replaced within the test.
            _silos.Add(new SiloProcess($"s{i + 1}", ports[i * 3], ports[i * 3 + 1], ports[i * 3 + 2], Path.Combine(_root, $"s{i + 1}"),
                i == 0 ? "" : $"127.0.0.1:{ports[0]}", Shards, "--down-time-ms", "3000"));
        }

        _silos[0].Start();
        await using var orleans = await ClusterClientHost.StartAsync(_silos.Take(3).Select(s => s.Gateway), requestTimeout: TimeSpan.FromSeconds(30));
        var client = orleans.Client;
        await WaitAsync(client, v => v.Shards.Count == Shards + 1 ? "" : "no cluster yet", "the first silo to bootstrap");
        _silos[1].Start();
        _silos[2].Start();
        await WaitAsync(client, v => Balance.Unbalanced(v, 3), "three balanced silos");

        await using var load = new WriteLoad(client, "elastic");
        _silos[3].Start();
        _silos[4].Start();
        await WaitAsync(client, v => Balance.Unbalanced(v, 5), "five balanced silos", load);

        output.WriteLine("killing s5");
        _silos[4].Kill9();
        await WaitAsync(client, v => Balance.Unbalanced(v, 4, gone: "s5"), "s5's replicas replaced on the other four", load);

        var left = await client.DrainSiloAsync("s4");
        output.WriteLine($"draining s4: {left} data replicas to move");
        await WaitAsync(client, v => Balance.Unbalanced(v, 3, gone: "s4"), "s4 drained", load);
        await client.RemoveSiloAsync("s4");
        Assert.True(_silos[3].ExitsWith(0, TimeSpan.FromSeconds(60)), "s4 did not stop itself with exit code 0 after its removal");

        await load.StopAndVerifyAsync(atLeast: 200);
        var view = await client.GetClusterAsync();
        Assert.Equal(SiloStatus.Removed, view.Silos.Single(s => s.SiloId == "s4").Status);
    }

    private async Task WaitAsync(MultiRaftClient client, Func<ClusterView, string> why, string what, WriteLoad? load = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        var last = "";
        while (true)
        {
            load?.AssertNoFailure();
            try
            {
                last = why(await client.GetClusterAsync());
                if (last == "")
                {
                    return;
                }
            }
            catch (MultiRaftException ex)
            {
                last = ex.Message;
            }

            if (DateTime.UtcNow > deadline)
            {
                SiloProcess.WriteLogs(_silos, output);

                Assert.Fail($"waited 120 s for {what}: {last}");
            }

            await Task.Delay(200);
        }
    }

    public void Dispose() => SiloProcess.DisposeAll(_silos, _root);
}
