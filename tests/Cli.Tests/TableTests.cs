using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Testing;

using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Cli.Tests;

public sealed class TableTests
{
    [Fact]
    public void Columns_are_padded_to_the_widest_cell_without_trailing_spaces()
    {
        var table = new TextTable("A", "LONG HEADER", "C").AddRow("wide cell", "x", "").AddRow("", "y", "last");

        Assert.Equal(
            "A          LONG HEADER  C\n" +
            "wide cell  x\n" +
            "           y            last\n",
            table.ToString());
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_cells_is_a_bug() =>
        Assert.Throws<ArgumentException>(() => new TextTable("A", "B").AddRow("only one"));

    [Fact]
    public void Cluster_status_renders_silos_and_shards()
    {
        var view = new ScriptedChannel().View;
        view.Silos[1].Status = SiloStatus.Dead;
        view.Silos[1].LastHeartbeatMs = 0;
        view.Shards[1].Replicas[0].Role = ReplicaRole.Learner;
        view.Leaders.RemoveAt(0);
        using var writer = new StringWriter { NewLine = "\n" };

        ClusterStatusView.WriteTo(view, writer);

        Assert.Equal(
            "cluster test, served by silo-1, router applied index 42\n" +
            "\n" +
            "SILO    STATUS  GATEWAY          SILO ADDRESS     HTTP            LAST HEARTBEAT        REPLICAS  LEADERS\n" +
            "silo-1  active  127.0.0.1:30001  127.0.0.1:11111  127.0.0.1:8081  2023-11-14 22:13:20Z  2         0\n" +
            "silo-2  dead    127.0.0.1:30002  127.0.0.1:11112  127.0.0.1:8082  -                     2         1\n" +
            "\n" +
            "SHARD  HASH RANGE             REPLICAS                        LEADER  TERM  COMMIT/APPLIED\n" +
            "1      [00000000, 80000000)   11@silo-1, 12@silo-2            -       -     -\n" +
            "2      [80000000, 100000000)  21@silo-1 (learner), 22@silo-2  silo-2  5     200/200\n" +
            "\n" +
            "moves in progress: none\n",
            writer.ToString());
    }

    [Fact]
    public void Replica_roles_follow_the_leaders_report_of_the_configuration_over_the_map()
    {
        var view = new ScriptedChannel().View;
        view.Leaders.RemoveAt(0);
        // The map wants both as voters; the leader's configuration has 21 as a learner and not 22 yet.
        view.Leaders[0].Voters.Add(99);
        view.Leaders[0].Learners.Add(21);
        using var writer = new StringWriter { NewLine = "\n" };

        ClusterStatusView.WriteTo(view, writer);

        Assert.Contains("2      [80000000, 100000000)  21@silo-1 (learner), 22@silo-2 (pending)  silo-2", writer.ToString());
        Assert.EndsWith("moves in progress: 1\n  shard 2: 21@silo-1 joining, 22@silo-2 joining, 99 leaving\n", writer.ToString());
    }

    [Fact]
    public async Task Cluster_status_command_prints_the_view_from_the_gateway()
    {
        var run = new CliRun();
        using var expected = new StringWriter { NewLine = "\n" };
        ClusterStatusView.WriteTo(run.Gateway.View, expected);

        Assert.Equal(0, await run.RunAsync("cluster", "status"));

        Assert.Equal(expected.ToString(), run.Out);
        Assert.Contains(run.Gateway.Requests, r => r.OpCase == ClientRequest.OpOneofCase.Cluster);
    }

    [Theory]
    [InlineData(new byte[] { 0x61, 0x09, 0x62 }, "a\\tb")]
    [InlineData(new byte[] { 0xC3, 0xA9 }, "é")]
    [InlineData(new byte[] { 0x01 }, "\\u0001")]
    [InlineData(new byte[] { 0xC3 }, "base64:ww==")]
    public void Bytes_print_on_one_line(byte[] bytes, string expected) => Assert.Equal(expected, Printable.Of(bytes));
}
