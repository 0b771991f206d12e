using MultiRaft.Client;
namespace MultiRaft.LoadGen.Tests;

/// <summary>The command line binds to a target: HTTP by default, Orleans with --orleans, never both.</summary>
public sealed class LoadGenCommandTests
{
    private static (IReadOnlyList<string> Problems, LoadOptions Options) Bind(params string[] args)
    {
        var command = new LoadGenCommand();
        var parse = command.Root.Parse(args);
        Assert.Empty(parse.Errors);
        var problems = command.Bind(parse, out var options);
        return (problems, options);
    }

    [Fact]
    public void Without_a_target_option_the_load_goes_over_http_to_the_first_silo()
    {
        var (problems, options) = Bind();

        Assert.Empty(problems);
        Assert.Null(options.Orleans);
        Assert.Equal("http", options.TargetName);
        Assert.Equal([new Uri("http://127.0.0.1:8080/")], options.Urls);
    }

    [Fact]
    public void Orleans_binds_every_gateway_and_the_cluster_identity()
    {
        var (problems, options) = Bind(
            "--orleans", "127.0.0.1:30000, 127.0.0.1:30001,[::1]:30002,silo-3.local:30003", "--service-id", "svc", "--timeout", "3");

        Assert.Empty(problems);
        Assert.Equal("orleans", options.TargetName);
        Assert.Equal(["127.0.0.1:30000", "127.0.0.1:30001", "[::1]:30002", "silo-3.local:30003"], options.Orleans!.Gateways);
        Assert.Equal("multiraft-dev", options.Orleans.ClusterId);
        Assert.Equal("svc", options.Orleans.ServiceId);
        Assert.Equal(TimeSpan.FromSeconds(3), options.RequestTimeout);
    }

    [Fact]
    public void Url_and_orleans_together_are_refused()
    {
        var (problems, _) = Bind("--url", "http://127.0.0.1:8080", "--orleans", "127.0.0.1:30000");

        Assert.Equal(["--url and --orleans are mutually exclusive: the load goes over HTTP or through the Orleans client, not both"], problems);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData(":30000")]
    [InlineData("::1:30000")]
    [InlineData("http://127.0.0.1:30000")]
    [InlineData("bad host:30000")]
    public void A_gateway_that_is_not_host_and_port_is_named(string gateway)
    {
        var (problems, _) = Bind("--orleans", "127.0.0.1:30000," + gateway);

        Assert.Equal([$"--orleans gateway '{gateway}' is not HOST:PORT (port 1..65535, an IPv6 address in brackets)"], problems);
    }

    [Fact]
    public void Cluster_identity_without_orleans_is_refused()
    {
        var (problems, _) = Bind("--cluster-id", "other");

        Assert.Equal(["--cluster-id and --service-id apply only with --orleans"], problems);
    }

    [Fact]
    public void Orleans_options_report_every_problem()
    {
        var problems = new OrleansTargetOptions { ClusterId = " ", ServiceId = "" }.Validate();

        Assert.Equal(["--orleans needs at least one HOST:PORT", "--cluster-id must not be empty", "--service-id must not be empty"], problems);
    }

    [Theory]
    [InlineData("127.0.0.1:30000", "127.0.0.1", 30000)]
    [InlineData("[::1]:30001", "::1", 30001)]
    [InlineData("localhost:1", "localhost", 1)]
    public void Gateways_split_into_host_and_port(string text, string host, int port)
    {
        Assert.True(GatewayEndpoint.TryParse(text, out var h, out var p));
        Assert.Equal((host, port), (h, p));
    }
}
