namespace MultiRaft.Nemesis.Tests;

/// <summary>The namespaces never outlive a run: leftovers of a crashed run go, and a lab removes its own.</summary>
public sealed class NetworkLabTests(ITestOutputHelper output)
{
    [Fact]
    public void Leftovers_of_a_crashed_run_are_removed_and_a_lab_removes_its_own()
    {
        // A run id whose process cannot exist (above the kernel's pid limit) stands for a crashed run.
        const string Dead = "7ffffffeg1";
        if (Shell.Find("ip") is not { } ip || Shell.Run(ip, "netns", "add", $"mr-{Dead}-1").ExitCode != 0)
        {
            output.WriteLine("NOT EXERCISED: network namespaces are not available here (needs root and ip netns)");
            return;
        }

        Shell.Must(ip, "link", "add", $"mr{Dead}b", "type", "bridge");
        using (var lab = NetworkLab.TryCreate(2, out var reason))
        {
            Assert.True(lab is not null, reason);
            Assert.DoesNotContain($"mr-{Dead}-1", Namespaces(ip));
            Assert.DoesNotContain($"mr{Dead}b", Shell.Run(ip, "-o", "link", "show").Output, StringComparison.Ordinal);
            Assert.Contains(lab.Namespace(0), Namespaces(ip));
            Assert.Contains(lab.Namespace(1), Namespaces(ip));
            lab.Cut([0], [1]);
            Assert.Contains("blackhole", Shell.Run(ip, "netns", "exec", lab.Namespace(0), ip, "route").Output, StringComparison.Ordinal);
            lab.HealAll();
            Assert.DoesNotContain("blackhole", Shell.Run(ip, "netns", "exec", lab.Namespace(0), ip, "route").Output, StringComparison.Ordinal);
            var name = lab.Namespace(0);
            lab.Dispose();
            Assert.DoesNotContain(name, Namespaces(ip));
        }
    }

    private static List<string> Namespaces(string ip) =>
        [.. Shell.Run(ip, "netns", "list").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0].Trim())];
}
