using MultiRaft.Client;
using MultiRaft.Testing;

namespace MultiRaft.Cli.Tests;

/// <summary>One run of the tool through its seam: captured output, a chosen environment, a scripted grain channel.</summary>
internal sealed class CliRun
{
    public ScriptedChannel Gateway { get; } = new();

    public Dictionary<string, string> Environment { get; } = [];

    /// <summary>The connection the tool asked for, once it did.</summary>
    public CliConnection? Connection { get; private set; }

    /// <summary>The client options of that connection.</summary>
    public MultiRaftClientOptions? Options => Connection?.Client;

    public string Out { get; private set; } = "";

    public string Error { get; private set; } = "";

    public async Task<int> RunAsync(params string[] args)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var context = new CliContext(output, error, name => Environment.GetValueOrDefault(name), (connection, _) =>
        {
            Connection = connection;
            var options = connection.Client;
            options.InitialRetryDelay = TimeSpan.FromMilliseconds(1);
            options.MaxRetryDelay = TimeSpan.FromMilliseconds(5);
            return Task.FromResult(new CliClient(new MultiRaftClient(options, Gateway), NoLifetime.Instance));
        });

        var code = await CliApp.RunAsync(args, context, TestContext.Current.CancellationToken);
        Out = output.ToString();
        Error = error.ToString();
        return code;
    }

    private sealed class NoLifetime : IAsyncDisposable
    {
        public static readonly NoLifetime Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
