using Microsoft.Extensions.Logging;

namespace MultiRaft.Transport.Tests;

/// <summary>Writes log lines to the current test's output, shown when the test fails.</summary>
public sealed class TestOutputLogger(string name) : ILogger
{
    private readonly ITestOutputHelper? _output = TestContext.Current.TestOutputHelper;

    public static ILogger For(string name) => new TestOutputLogger(name);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        try
        {
            _output?.WriteLine($"[{name}] {logLevel} {eventId.Id}: {formatter(state, exception)} {exception?.Message}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished; late lines from background loops are dropped.
        }
    }
}
