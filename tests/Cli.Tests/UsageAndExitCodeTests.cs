using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Cli.Tests;

public sealed class UsageAndExitCodeTests
{
    [Theory]
    [InlineData("")]
    [InlineData("frobnicate")]
    [InlineData("put k")]
    [InlineData("put k v --if-version 1 --if-absent")]
    [InlineData("put k v --if-version x")]
    [InlineData("cas k minus-one v")]
    [InlineData("scan --limit 0")]
    [InlineData("scan --limit 10001")]
    [InlineData("get k --endpoints host:notaport")]
    [InlineData("get k --endpoints a:1,,b:2")]
    [InlineData("get k --timeout soon")]
    [InlineData("cluster")]
    public async Task Bad_command_lines_exit_2_and_send_nothing(string commandLine)
    {
        var run = new CliRun();

        Assert.Equal(2, await run.RunAsync(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)));

        Assert.NotEqual("", run.Error);
        Assert.Empty(run.Gateway.Requests);
    }

    [Fact]
    public async Task Help_exits_0_and_lists_the_commands()
    {
        var run = new CliRun();

        Assert.Equal(0, await run.RunAsync("--help"));

        foreach (var command in new[] { "put", "get", "del", "cas", "scan", "cluster", "--endpoints", "--timeout" })
        {
            Assert.Contains(command, run.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Endpoints_default_to_the_local_gateway()
    {
        var run = new CliRun();

        await run.RunAsync("get", "k");

        Assert.Equal(["127.0.0.1:30000"], run.Connection!.Endpoints);
        Assert.Equal("multiraft-dev", run.Connection.ClusterId);
        Assert.Equal("multiraft", run.Connection.ServiceId);
        Assert.Equal(TimeSpan.FromSeconds(10), run.Options!.RequestTimeout);
    }

    [Fact]
    public async Task Endpoints_come_from_the_environment_unless_the_option_names_them()
    {
        var fromEnvironment = new CliRun { Environment = { ["MULTIRAFT_ENDPOINTS"] = "10.0.0.1:1, 10.0.0.2" } };
        var fromOption = new CliRun { Environment = { ["MULTIRAFT_ENDPOINTS"] = "10.0.0.1:1" } };

        await fromEnvironment.RunAsync("get", "k");
        await fromOption.RunAsync("get", "k", "--endpoints", "[::1]:7000,h");

        Assert.Equal(["10.0.0.1:1", "10.0.0.2:30000"], fromEnvironment.Connection!.Endpoints);
        Assert.Equal(["[::1]:7000", "h:30000"], fromOption.Connection!.Endpoints);
    }

    [Fact]
    public async Task Cluster_id_comes_from_the_environment_unless_the_option_names_it()
    {
        var fromEnvironment = new CliRun { Environment = { ["MULTIRAFT_CLUSTER_ID"] = "prod" } };
        var fromOption = new CliRun { Environment = { ["MULTIRAFT_CLUSTER_ID"] = "prod" } };

        await fromEnvironment.RunAsync("get", "k");
        await fromOption.RunAsync("get", "k", "--cluster-id", "staging", "--service-id", "shop");

        Assert.Equal(("prod", "multiraft"), (fromEnvironment.Connection!.ClusterId, fromEnvironment.Connection.ServiceId));
        Assert.Equal(("staging", "shop"), (fromOption.Connection!.ClusterId, fromOption.Connection.ServiceId));
    }

    [Fact]
    public async Task Global_options_are_accepted_before_the_command_too()
    {
        var run = new CliRun();

        Assert.Equal(1, await run.RunAsync("--timeout", "250ms", "get", "k"));

        Assert.Equal(TimeSpan.FromMilliseconds(250), run.Options!.RequestTimeout);
    }

    [Fact]
    public async Task No_quorum_exits_3()
    {
        var run = new CliRun();
        run.Gateway.Override = r => r.OpCase == ClientRequest.OpOneofCase.Get
            ? new ClientResponse { Status = ResponseStatus.Unavailable, Error = "no quorum" }
            : null;

        Assert.Equal(3, await run.RunAsync("get", "k", "--timeout", "200ms"));

        Assert.StartsWith("unavailable: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_outcome_exits_4()
    {
        var run = new CliRun();
        run.Gateway.Override = r => r.OpCase == ClientRequest.OpOneofCase.Write
            ? new ClientResponse { Status = ResponseStatus.OutcomeUnknown, Error = "deadline" }
            : null;

        Assert.Equal(4, await run.RunAsync("put", "k", "v", "--timeout", "200ms"));

        Assert.StartsWith("outcome unknown: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_refusing_a_request_as_malformed_exits_2()
    {
        var run = new CliRun();
        run.Gateway.Override = r => r.OpCase == ClientRequest.OpOneofCase.Write
            ? new ClientResponse { Status = ResponseStatus.TooLarge, Error = "value too large" }
            : null;

        Assert.Equal(2, await run.RunAsync("put", "k", "v", "--timeout", "200ms"));

        Assert.StartsWith("too large: ", run.Error, StringComparison.Ordinal);
    }
}
