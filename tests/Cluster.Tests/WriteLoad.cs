using System.Collections.Concurrent;
using System.Text;
using MultiRaft.Client;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// A continuous write load for tests that change the cluster underneath it: a few writers create
/// new keys one after another until stopped; the first failure faults the load, and every
/// acknowledged write is checked afterwards. Each key is written once, create-if-absent: a write
/// the store applied twice (a retry not recognised as one) answers "exists" and fails the load,
/// so every acknowledged write is present exactly once.
/// </summary>
internal sealed class WriteLoad : IAsyncDisposable
{
    private readonly MultiRaftClient _client;
    private readonly ConcurrentDictionary<string, (ulong Version, string Value)> _acknowledged = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _writers;

    public WriteLoad(MultiRaftClient client, string prefix, int writers = 4)
    {
        _client = client;
        _writers = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !_stop.IsCancellationRequested; i++)
            {
                var key = $"{prefix}/{w}/{i}";
                var value = "v" + i;
                var version = await client.CompareAndSetAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value), expectedVersion: 0)
                    .ConfigureAwait(false);
                _acknowledged[key] = (version, value);
            }
        })).ToArray();
    }

    /// <summary>The keys acknowledged so far (a copy).</summary>
    public IReadOnlyCollection<string> AcknowledgedKeys => [.. _acknowledged.Keys];

    /// <summary>Fails the calling test at once if a write has failed.</summary>
    public void AssertNoFailure()
    {
        foreach (var t in _writers)
        {
            if (t.IsFaulted)
            {
                Assert.Fail("a write failed: " + t.Exception);
            }
        }
    }

    /// <summary>Stops the writers (a failed write fails here) and reads back every acknowledged write at its version, with its value.</summary>
    public async Task StopAndVerifyAsync(int atLeast)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_writers).ConfigureAwait(false);
        Assert.True(_acknowledged.Count >= atLeast, $"only {_acknowledged.Count} writes acknowledged, expected at least {atLeast}");
        foreach (var (key, (version, value)) in _acknowledged)
        {
            var got = await _client.GetAsync(Encoding.UTF8.GetBytes(key)).ConfigureAwait(false);
            Assert.True(got is not null, key + " lost");
            Assert.Equal(version, got.Version);
            Assert.Equal(value, Encoding.UTF8.GetString(got.Value.Span));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_writers).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Already reported by the test that used the load, or irrelevant to one that failed first.
        }

        _stop.Dispose();
    }
}
