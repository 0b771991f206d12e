using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Cli.Tests;

public sealed class KvCommandTests
{
    [Fact]
    public async Task Put_writes_and_prints_the_version()
    {
        var run = new CliRun();

        Assert.Equal(0, await run.RunAsync("put", "k", "hello"));

        Assert.Equal("version 1\n", run.Out);
        var write = Assert.Single(run.Gateway.Writes);
        Assert.Equal(("k", "hello", WriteCondition.None), (write.Key.ToStringUtf8(), write.Value.ToStringUtf8(), write.Condition));
    }

    [Fact]
    public async Task Put_if_version_maps_to_the_condition_and_exits_1_when_it_fails()
    {
        var run = new CliRun();
        run.Gateway.Seed("k"u8.ToArray(), "v"u8.ToArray());

        Assert.Equal(1, await run.RunAsync("put", "k", "w", "--if-version", "7"));

        Assert.Equal("precondition failed: the key is version 1\n", run.Error);
        var write = Assert.Single(run.Gateway.Writes);
        Assert.Equal((WriteCondition.IfVersion, 7UL), (write.Condition, write.ExpectedVersion));
    }

    [Fact]
    public async Task Put_if_absent_applies_once()
    {
        var run = new CliRun();

        Assert.Equal(0, await run.RunAsync("put", "k", "a", "--if-absent"));
        Assert.Equal(1, await run.RunAsync("put", "k", "b", "--if-absent"));

        Assert.Equal("precondition failed: the key is version 1\n", run.Error);
        Assert.All(run.Gateway.Writes, w => Assert.Equal(WriteCondition.IfAbsent, w.Condition));
        Assert.Equal("a", run.Gateway.Stored("k"u8.ToArray())!.Value.ToStringUtf8());
    }

    [Fact]
    public async Task Get_prints_the_value_and_reads_stale_on_request()
    {
        var run = new CliRun();
        run.Gateway.Seed("k"u8.ToArray(), "hello"u8.ToArray());

        Assert.Equal(0, await run.RunAsync("get", "k"));
        Assert.Equal("hello\n", run.Out);
        Assert.Equal(0, await run.RunAsync("get", "k", "--stale"));

        var reads = run.Gateway.DataRequests.Select(r => r.Get.Consistency).ToArray();
        Assert.Equal(new[] { Grains.Interfaces.Protos.ReadConsistency.Linearizable, Grains.Interfaces.Protos.ReadConsistency.Stale }, reads);
    }

    [Fact]
    public async Task Get_of_an_absent_key_exits_1()
    {
        var run = new CliRun();

        Assert.Equal(1, await run.RunAsync("get", "missing"));

        Assert.Equal("", run.Out);
        Assert.Equal("not found\n", run.Error);
    }

    [Fact]
    public async Task Del_deletes_and_exits_1_when_absent()
    {
        var run = new CliRun();
        run.Gateway.Seed("k"u8.ToArray(), "v"u8.ToArray());

        Assert.Equal(0, await run.RunAsync("del", "k"));
        Assert.Equal("deleted\n", run.Out);
        Assert.Equal(1, await run.RunAsync("del", "k"));
        Assert.Equal("not found\n", run.Error);
    }

    [Fact]
    public async Task Del_if_version_that_does_not_hold_exits_1_and_keeps_the_key()
    {
        var run = new CliRun();
        run.Gateway.Seed("k"u8.ToArray(), "v"u8.ToArray());

        Assert.Equal(1, await run.RunAsync("del", "k", "--if-version", "3"));

        Assert.Equal((WriteCondition.IfVersion, 3UL), (run.Gateway.Writes[0].Condition, run.Gateway.Writes[0].ExpectedVersion));
        Assert.NotNull(run.Gateway.Stored("k"u8.ToArray()));
    }

    [Fact]
    public async Task Cas_writes_when_the_version_matches_and_exits_1_when_not()
    {
        var run = new CliRun();
        var version = run.Gateway.Seed("k"u8.ToArray(), "v"u8.ToArray());

        Assert.Equal(0, await run.RunAsync("cas", "k", "1", "w"));
        Assert.Equal("version 2\n", run.Out);
        Assert.Equal(1, await run.RunAsync("cas", "k", "1", "x"));

        Assert.Equal(version, run.Gateway.Writes[0].ExpectedVersion);
        Assert.Equal("w", run.Gateway.Stored("k"u8.ToArray())!.Value.ToStringUtf8());
    }

    [Fact]
    public async Task Cas_with_zero_creates_an_absent_key()
    {
        var run = new CliRun();

        Assert.Equal(0, await run.RunAsync("cas", "k", "0", "v"));

        Assert.Equal("v", run.Gateway.Stored("k"u8.ToArray())!.Value.ToStringUtf8());
    }

    [Fact]
    public async Task Scan_prints_keys_in_order_as_a_table()
    {
        var run = new CliRun();
        run.Gateway.Seed("b2"u8.ToArray(), "two"u8.ToArray());
        run.Gateway.Seed("a1"u8.ToArray(), "x"u8.ToArray());
        run.Gateway.Seed("b1"u8.ToArray(), "line\nbreak"u8.ToArray());
        run.Gateway.Seed("b3"u8.ToArray(), [0xFF]);

        Assert.Equal(0, await run.RunAsync("scan", "--prefix", "b", "--limit", "3"));

        Assert.Equal(
            "KEY  VERSION  VALUE\n" +
            "b1   3        line\\nbreak\n" +
            "b2   1        two\n" +
            "b3   4        base64:/w==\n",
            run.Out);
    }
}
