using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MultiRaft.Client.Tests;

public sealed record LogLine(int EventId, LogLevel Level, string Text, Exception? Exception);

/// <summary>Collects every log line; a test can await the first line with an event id.</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogLine> _lines = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<LogLine>> _waiters = new();

    public IReadOnlyCollection<LogLine> Lines => _lines;

    public Task<LogLine> FirstAsync(int eventId) => Waiter(eventId).Task.WaitAsync(Timeouts.Guard);

    public ILogger CreateLogger(string categoryName) => new RecordingLogger(this);

    public void Dispose()
    {
    }

    private TaskCompletionSource<LogLine> Waiter(int eventId) =>
        _waiters.GetOrAdd(eventId, _ => new TaskCompletionSource<LogLine>(TaskCreationOptions.RunContinuationsAsynchronously));

    private sealed class RecordingLogger(RecordingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            var line = new LogLine(eventId.Id, logLevel, formatter(state, exception), exception);
            owner._lines.Enqueue(line);
            owner.Waiter(eventId.Id).TrySetResult(line);
        }
    }
}
