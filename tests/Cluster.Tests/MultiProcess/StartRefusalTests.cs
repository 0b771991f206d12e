using MultiRaft.Tests.Support;

namespace MultiRaft.Cluster.Tests.MultiProcess;

/// <summary>
/// A silo process refuses storage it must not use and says why, with exit code 1: a WAL
/// directory another silo process holds (refused before Orleans starts, the running silo
/// unharmed), and a WAL with a damaged record before its end (refused before the silo joins the
/// cluster, though its recovery runs beside Orleans' start).
/// </summary>
public sealed class StartRefusalTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(60);
    private readonly string _root = Directory.CreateTempSubdirectory("multiraft-refusal-").FullName;
    private readonly List<SiloProcess> _silos = [];

    [Fact]
    public async Task A_locked_or_corrupt_wal_stops_the_silo_with_its_reason()
    {
        var ports = Ports.Free(6);
        var data = Path.Combine(_root, "s1");
        var silo = new SiloProcess("s1", ports[0], ports[1], ports[2], data, "", 2);
        _silos.Add(silo);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        silo.Start();
        await WaitServesAsync(http, silo);

        // Another process given the same data directory (its own ports, so that nothing else clashes).
        var intruder = new SiloProcess("s1", ports[3], ports[4], ports[5], Path.Combine(_root, "intruder"), "", 2, "--data-dir", data);
        _silos.Add(intruder);
        intruder.Start();
        Assert.True(intruder.ExitsWith(1, ExitWithin), intruder.Describe());
        var refused = LastLine(intruder, "cannot start");
        Assert.Contains("is in use by another MultiRaft process", refused, StringComparison.Ordinal);
        Assert.True(silo.Running, silo.Describe());
        Assert.True(await silo.ServesClusterAsync(http), "the silo holding the directory stopped serving");

        silo.Kill9();
        var segment = Directory.GetFiles(Path.Combine(data, "wal"))
            .Where(f => !Path.GetFileName(f).StartsWith("snap-", StringComparison.Ordinal) && Path.GetFileName(f) != "LOCK")
            .Order(StringComparer.Ordinal).First();
        // A byte of the first record's payload (past its 32-byte header): many good records follow, so this is no torn tail.
        await using (var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = 40;
            var b = file.ReadByte();
            file.Position = 40;
            file.WriteByte((byte)(b ^ 0xFF));
        }

        silo.Start();
        Assert.True(silo.ExitsWith(1, ExitWithin), silo.Describe());
        Assert.Contains($"corrupt record in {segment} at offset 0", LastLine(silo, "cannot start"), StringComparison.Ordinal);
    }

    private string LastLine(SiloProcess silo, string containing)
    {
        var line = File.ReadLines(silo.LogPath).LastOrDefault(l => l.Contains(containing, StringComparison.Ordinal));
        if (line is null)
        {
            SiloProcess.WriteLogs(_silos, output);
        }

        Assert.NotNull(line);
        output.WriteLine(line);
        return line;
    }

    private async Task WaitServesAsync(HttpClient http, SiloProcess silo)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!await silo.ServesClusterAsync(http))
        {
            if (DateTime.UtcNow > deadline || !silo.Running)
            {
                SiloProcess.WriteLogs(_silos, output);
                Assert.Fail($"{silo.SiloId} did not serve /cluster within 90 s ({silo.Describe()})");
            }

            await Task.Delay(200);
        }
    }

    public void Dispose() => SiloProcess.DisposeAll(_silos, _root);
}
