using System.Diagnostics;

namespace MultiRaft.Cluster.TestingHost.Tests;

/// <summary>
/// Bounded waits on a condition the cluster reaches by itself (an election, a follower catching
/// up, Orleans noticing a dead silo). Every wait has a deadline and fails with the last reason
/// the condition gave; none sleeps for a fixed time and then hopes.
/// </summary>
internal static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Calls <paramref name="probe"/> until it returns null (done) or <paramref name="within"/>
    /// passes; a probe returns why it is not done yet. A probe that throws is not done either.
    /// </summary>
    /// <exception cref="TimeoutException">The condition did not hold within the bound.</exception>
    public static async Task UntilAsync(string what, TimeSpan within, Func<Task<string?>> probe)
    {
        var clock = Stopwatch.StartNew();
        var last = "never probed";
        while (true)
        {
            try
            {
                if (await probe() is not { } pending)
                {
                    return;
                }

                last = pending;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                last = $"{ex.GetType().Name}: {ex.Message}";
            }

            if (clock.Elapsed >= within)
            {
                throw new TimeoutException($"{what}: not reached within {within.TotalSeconds:0.#} s; last: {last}");
            }

            await Task.Delay(Interval);
        }
    }
}
