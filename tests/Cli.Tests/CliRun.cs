using MultiRaft.Client;
using MultiRaft.Testing;

namespace MultiRaft.Cli.Tests;

/// <summary>One run of the tool through its seam: captured output, a chosen environment, a scripted gateway.</summary>
internal sealed class CliRun
{
    public ScriptedGateway Gateway { get; } = new();

    public Dictionary<string, string> Environment { get; } = [];

    /// <summary>The options the tool built its client from, once it did.</summary>
    public MultiRaftClientOptions? Options { get; private set; }

    public string Out { get; private set; } = "";

    public string Error { get; private set; } = "";

    public async Task<int> RunAsync(params string[] args)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var context = new CliContext(output, error, name => Environment.GetValueOrDefault(name), options =>
        {
            Options = options;
            options.InitialRetryDelay = TimeSpan.FromMilliseconds(1);
            options.MaxRetryDelay = TimeSpan.FromMilliseconds(5);
            return new MultiRaftClient(options, Gateway);
        });

        var code = await CliApp.RunAsync(args, context, TestContext.Current.CancellationToken);
        Out = output.ToString();
        Error = error.ToString();
        return code;
    }
}
