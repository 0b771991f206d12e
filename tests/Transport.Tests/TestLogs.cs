using Microsoft.Extensions.Logging;

namespace MultiRaft.Transport.Tests;

public sealed record LogLine(int EventId, LogLevel Level, string Text, Exception? Exception);

/// <summary>Collects every log line, so tests can assert that an error was logged.</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    public Recorder<LogLine> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new RecordingLogger(Lines);

    public void Dispose()
    {
    }

    private sealed class RecordingLogger(Recorder<LogLine> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) =>
            lines.Add(new(eventId.Id, logLevel, formatter(state, exception), exception));
    }
}
