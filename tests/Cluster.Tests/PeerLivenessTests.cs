using MultiRaft.Silo.Engine;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// The silo-pair liveness behind quiescence (<see cref="PeerLiveness"/>), on simulated ticks:
/// a silo silent for the timeout is suspected once, hearing from it again clears the suspicion (a
/// return) so that the next silence is reported too, and a new incarnation is a restart.
/// </summary>
public sealed class PeerLivenessTests
{
    [Fact]
    public void A_silo_silent_for_the_timeout_is_suspected_once()
    {
        var liveness = new PeerLiveness(suspectAfterTicks: 3);
        liveness.Heard("s2", 7);
        Assert.Empty(liveness.Tick());
        Assert.Empty(liveness.Tick());
        Assert.Equal([new PeerEvent("s2", PeerChange.Suspected)], liveness.Tick().ToList());
        Assert.True(liveness.IsSuspected("s2"));
        for (var i = 0; i < 10; i++)
        {
            Assert.Empty(liveness.Tick());
        }
    }

    [Fact]
    public void A_silo_heard_every_tick_is_never_suspected()
    {
        var liveness = new PeerLiveness(suspectAfterTicks: 2);
        for (var i = 0; i < 50; i++)
        {
            liveness.Heard("s2", 7);
            Assert.Empty(liveness.Tick());
        }

        Assert.False(liveness.IsSuspected("s2"));
    }

    [Fact]
    public void A_silo_heard_again_is_cleared_and_suspected_again_when_it_falls_silent_again()
    {
        var liveness = new PeerLiveness(suspectAfterTicks: 2);
        liveness.Heard("s2", 7);
        liveness.Tick();
        Assert.Single(liveness.Tick());

        // Heard again (a quiesce heartbeat that was in flight, say): a replica may have quiesced
        // after the wake-up, so the next silence must wake it again. Heard again is a return:
        // leaders that quiesced without its replicas must catch them up.
        liveness.Heard("s2", 7);
        Assert.Equal([new PeerEvent("s2", PeerChange.Returned)], liveness.Tick().ToList());
        Assert.False(liveness.IsSuspected("s2"));
        Assert.Equal([new PeerEvent("s2", PeerChange.Suspected)], liveness.Tick().ToList());
    }

    [Fact]
    public void A_new_incarnation_is_a_restart_and_the_first_or_an_unsaid_one_is_not()
    {
        var liveness = new PeerLiveness(suspectAfterTicks: 100);
        liveness.Heard("s2", 7);
        liveness.Heard("s3", 9);
        liveness.Heard("s2", 0);
        Assert.Empty(liveness.Tick());

        liveness.Heard("s2", 8);
        liveness.Heard("s2", 8);
        Assert.Equal([new PeerEvent("s2", PeerChange.Restarted)], liveness.Tick().ToList());
        Assert.Empty(liveness.Tick());
    }

    [Fact]
    public void A_suspected_silo_heard_again_in_a_new_incarnation_is_a_restart_only()
    {
        var liveness = new PeerLiveness(suspectAfterTicks: 2);
        liveness.Heard("s2", 7);
        liveness.Tick();
        Assert.Equal([new PeerEvent("s2", PeerChange.Suspected)], liveness.Tick().ToList());

        liveness.Heard("s2", 8);
        Assert.Equal([new PeerEvent("s2", PeerChange.Restarted)], liveness.Tick().ToList());
        Assert.False(liveness.IsSuspected("s2"));
        liveness.Heard("s2", 8);
        Assert.Empty(liveness.Tick());
    }

    [Fact]
    public void Silos_are_watched_apart()
    {
        var liveness = new PeerLiveness(suspectAfterTicks: 2);
        liveness.Heard("s2", 1);
        liveness.Heard("s3", 1);
        liveness.Tick();
        liveness.Heard("s3", 1);
        Assert.Equal([new PeerEvent("s2", PeerChange.Suspected)], liveness.Tick().ToList());
        Assert.False(liveness.IsSuspected("s3"));
        Assert.False(liveness.IsSuspected("s4"));
    }
}
