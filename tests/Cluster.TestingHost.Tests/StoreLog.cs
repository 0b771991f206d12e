using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MultiRaft.Cluster.TestingHost.Tests;

/// <summary>One event the store logged: which silo (and which start of it) logged what.</summary>
/// <param name="Silo">The silo's name.</param>
/// <param name="Incarnation">1 for the silo's first start under that name, 2 for the next, and so on.</param>
/// <param name="EventId">The event's id (the store's <c>[LoggerMessage]</c> ids are stable).</param>
/// <param name="Values">The message's named values.</param>
public sealed record StoreLogEvent(string Silo, int Incarnation, int EventId, IReadOnlyDictionary<string, object?> Values);

/// <summary>
/// Records the store's own log events (categories <c>MultiRaft.*</c>) of every silo host, so that
/// a test can tell what a silo did at start, for example that it recovered its replicas from its
/// WAL instead of joining anew.
/// </summary>
public sealed class StoreLog
{
    private readonly ConcurrentQueue<StoreLogEvent> _events = new();
    private readonly ConcurrentDictionary<string, int> _incarnations = new(StringComparer.Ordinal);

    /// <summary>Everything recorded so far.</summary>
    public IReadOnlyList<StoreLogEvent> Events => [.. _events];

    /// <summary>A provider for the next start of the silo named <paramref name="silo"/>.</summary>
    public ILoggerProvider ForSilo(string silo) => new Provider(this, silo, _incarnations.AddOrUpdate(silo, 1, (_, n) => n + 1));

    private sealed class Provider(StoreLog log, string silo, int incarnation) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) =>
            categoryName.StartsWith("MultiRaft.", StringComparison.Ordinal) ? new Recorder(log, silo, incarnation) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Dispose()
        {
        }
    }

    private sealed class Recorder(StoreLog log, string silo, int incarnation) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (k, v) in pairs)
                {
                    values[k] = v;
                }
            }

            log._events.Enqueue(new StoreLogEvent(silo, incarnation, eventId.Id, values));
        }
    }
}
