using MultiRaft.Linearizability;

namespace MultiRaft.Linearizability.Tests;

public sealed class HistoryRecorderTests
{
    [Fact]
    public void Records_invoke_and_return_times_and_outcomes_from_the_clock()
    {
        long now = 0;
        var recorder = new HistoryRecorder(() => now += 10);

        var put = recorder.Invoke(1, "x", KvInput.Put("a"));
        var get = recorder.Invoke(2, "x", KvInput.Get());
        var cas = recorder.Invoke(3, "x", KvInput.CompareAndSet(1, "b"));
        var del = recorder.Invoke(4, "x", KvInput.Delete());
        recorder.Ok(put, KvOutput.Written(1));
        recorder.Ok(get, KvOutput.Found("a", 1));
        recorder.Fail(cas);

        var history = recorder.History();

        Assert.Equal(
            [
                new Operation(0, 1, "x", KvInput.Put("a"), KvOutput.Written(1), Outcome.Ok, 10, 50),
                new Operation(1, 2, "x", KvInput.Get(), KvOutput.Found("a", 1), Outcome.Ok, 20, 60),
                new Operation(2, 3, "x", KvInput.CompareAndSet(1, "b"), default, Outcome.Failed, 30, 70),
                new Operation(3, 4, "x", KvInput.Delete(), default, Outcome.Unknown, 40, long.MaxValue),
            ],
            history);
        Assert.Equal(del, history[3].Id);
        Assert.Equal(Verdict.Ok, LinearizabilityChecker.Check(history).Verdict);
    }

    [Fact]
    public void Completing_twice_is_an_error()
    {
        var recorder = new HistoryRecorder(() => 1);
        var id = recorder.Invoke(1, "x", KvInput.Get());
        recorder.Unknown(id);

        Assert.Throws<InvalidOperationException>(() => recorder.Ok(id, KvOutput.NotFound));
    }

    [Fact]
    public async Task Concurrent_clients_each_get_their_own_operations()
    {
        long now = 0;
        var recorder = new HistoryRecorder(() => Interlocked.Increment(ref now));

        await Task.WhenAll(Enumerable.Range(0, 8).Select(client => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                var id = recorder.Invoke(client, "x", KvInput.Get());
                recorder.Ok(id, KvOutput.NotFound);
            }
        }, TestContext.Current.CancellationToken)));

        var history = recorder.History();
        Assert.Equal(4_000, history.Count);
        Assert.Equal(Enumerable.Range(0, 4_000), history.Select(o => o.Id));
        Assert.All(history, o => Assert.True(o.InvokeTime < o.ReturnTime));
        Assert.Equal(8_000, history.SelectMany(o => new[] { o.InvokeTime, o.ReturnTime }).Distinct().Count());
        Assert.Equal(Verdict.Ok, LinearizabilityChecker.Check(history).Verdict);
    }
}
