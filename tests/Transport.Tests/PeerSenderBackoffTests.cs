using System.Net;
using MultiRaft.Tests.Support;

namespace MultiRaft.Transport.Tests;

public sealed class PeerSenderBackoffTests
{
    [Fact]
    public async Task Reconnect_delay_doubles_from_the_initial_delay_up_to_the_cap()
    {
        // A port with no listener: every attempt is refused at once.
        var port = Ports.Free();
        var time = new ManualTimeProvider();
        var reporter = new RecordingReporter();
        var options = Messages.Client("silo-a");
        options.ReconnectInitialDelay = TimeSpan.FromMilliseconds(100);
        options.ReconnectMaxDelay = TimeSpan.FromMilliseconds(500);
        await using var sender = new PeerSender("silo-b", new IPEndPoint(IPAddress.Loopback, port), options, reporter,
            TestOutputLogger.For("sender"), time);

        var delays = new List<TimeSpan>();
        for (var attempt = 1; attempt <= 6; attempt++)
        {
            sender.Send(1, Messages.Append(1, 2, (ulong)attempt));
            await reporter.Unreachable.WaitForAsync(attempt);
            var timer = (await time.Timers.WaitForAsync(attempt))[attempt - 1];
            delays.Add(timer.DueTime);
            timer.Fire();
        }

        Assert.Equal([100, 200, 400, 500, 500, 500], delays.Select(d => (int)d.TotalMilliseconds));
        Assert.Equal([1ul, 2ul, 3ul, 4ul, 5ul, 6ul], reporter.Unreachable.Snapshot().Select(d => d.Message.Index));
    }
}
