using System.Diagnostics;

namespace MultiRaft.LoadGen;

/// <summary>
/// Runs N closed-loop clients: each sends a request, waits for its answer, then sends the next,
/// so the offered load follows the server's pace (no coordinated-omission correction applies).
/// A request is recorded when it starts after the warmup and ends inside the measured window.
/// </summary>
public static class ClosedLoopRunner
{
    /// <summary>Runs the load described by <paramref name="options"/> over HTTP through <paramref name="handler"/>.</summary>
    public static async Task<RunResult> RunAsync(LoadOptions options, HttpMessageHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        ThrowIfInvalid(options);
        using var target = new HttpKvTarget(options.Urls, handler, options.RequestTimeout);
        return await RunAsync(options, target, cancellationToken);
    }

    /// <summary>Runs the load described by <paramref name="options"/> against <paramref name="target"/>, which it does not dispose.</summary>
    public static async Task<RunResult> RunAsync(LoadOptions options, IKvTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(target);
        ThrowIfInvalid(options);

        var value = MakeValue(options.ValueSize);
        var result = new RunResult();
        var started = Stopwatch.GetTimestamp();
        var window = new Window(
            started + ToTicks(options.Warmup),
            started + ToTicks(options.Warmup + options.Duration));

        var clients = new Task[options.Clients];
        for (var i = 0; i < clients.Length; i++)
        {
            clients[i] = ClientLoopAsync(i, options, target, value, window, result, cancellationToken);
        }

        await Task.WhenAll(clients);
        var end = Math.Min(Stopwatch.GetTimestamp(), window.End);
        result.Elapsed = Stopwatch.GetElapsedTime(window.Start, Math.Max(end, window.Start));
        return result;
    }

    private static async Task ClientLoopAsync(
        int index, LoadOptions options, IKvTarget target, byte[] value, Window window, RunResult result, CancellationToken cancellationToken)
    {
        // Start every client from the pool so that one slow first request does not serialize the others.
        await Task.Yield();
        var random = new Random(options.Seed + index);
        var sent = 0;
        while (!cancellationToken.IsCancellationRequested && (options.RequestsPerClient is not { } max || sent < max))
        {
            var start = Stopwatch.GetTimestamp();
            if (start >= window.End)
            {
                break;
            }

            sent++;
            var kind = random.NextDouble() < options.ReadRatio ? OpKind.Read : OpKind.Write;
            var key = KeyNames.Of(random.Next(1, options.Keys + 1));
            var error = await SendAsync(target, index, kind, key, value, cancellationToken);
            var stop = Stopwatch.GetTimestamp();
            if (start < window.Start || stop > window.End || cancellationToken.IsCancellationRequested)
            {
                continue;
            }

            if (error is null)
            {
                var nanoseconds = (long)((stop - start) * (1e9 / Stopwatch.Frequency));
                (kind == OpKind.Read ? result.Reads : result.Writes).Record(nanoseconds);
            }
            else
            {
                result.AddError(error);
            }
        }
    }

    /// <summary>Sends one operation; returns null on success or the cause of the failure.</summary>
    private static async Task<string?> SendAsync(
        IKvTarget target, int client, OpKind kind, string key, byte[] value, CancellationToken cancellationToken)
    {
        try
        {
            return await target.SendAsync(client, kind, key, value, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return "cancelled";
        }
        catch (Exception e)
        {
            // One failed operation is a result to count, whatever its kind, not the end of the run.
            return e.GetType().Name;
        }
    }

    private static void ThrowIfInvalid(LoadOptions options)
    {
        var problems = options.Validate();
        if (problems.Count != 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }
    }

    private static byte[] MakeValue(int size)
    {
        // Printable bytes, like the etcd script's repeated "v", so any log or dump stays readable.
        var value = new byte[size];
        value.AsSpan().Fill((byte)'v');
        return value;
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private readonly record struct Window(long Start, long End);
}
