using System.Collections.Concurrent;

namespace MultiRaft.Silo.Engine;

/// <summary>
/// Whether each other silo is alive, from this silo's point of view: the leadership liveness of
/// every quiesced group, once per silo pair instead of once per shard. Every batch a silo sends
/// (Raft traffic, or the small beat the engine sends each tick) counts as hearing from it. A silo
/// silent for <c>suspectAfterTicks</c> ticks is suspected, and one whose incarnation changed has
/// restarted: either way the engine acts for the quiesced replicas that depend on it. One
/// suspected and then heard again in the same incarnation has returned: the leaders that may have
/// quiesced without its replicas tell them what they missed. Nothing here decides safety (terms,
/// votes and logs are Raft's); a missed event could only delay an election or leave a replica
/// behind until its group's next write, which is why a silo heard again after a suspicion is
/// suspected afresh when it falls silent again.
/// </summary>
/// <param name="suspectAfterTicks">Ticks of silence after which a silo is suspected (the election timeout).</param>
internal sealed class PeerLiveness(int suspectAfterTicks)
{
    private readonly ConcurrentDictionary<string, Peer> _peers = new(StringComparer.Ordinal);
    private readonly List<PeerEvent> _events = [];
    private long _now;

    /// <summary>Something arrived from <paramref name="silo"/>; <paramref name="incarnation"/> 0 if the sender did not say. Any thread.</summary>
    public void Heard(string silo, ulong incarnation)
    {
        if (!_peers.TryGetValue(silo, out var peer))
        {
            peer = _peers.GetOrAdd(silo, _ => new Peer());
        }

        Volatile.Write(ref peer.LastHeard, Volatile.Read(ref _now));
        if (incarnation != 0 && Volatile.Read(ref peer.Incarnation) != incarnation)
        {
            var before = Interlocked.Exchange(ref peer.Incarnation, incarnation);
            if (before != 0 && before != incarnation)
            {
                Volatile.Write(ref peer.Restarted, true);
            }
        }
    }

    /// <summary>Advances one tick and returns what changed (valid until the next call). The tick thread only.</summary>
    public IReadOnlyList<PeerEvent> Tick()
    {
        _events.Clear();
        var now = Interlocked.Increment(ref _now);
        foreach (var (silo, peer) in _peers)
        {
            var restarted = Volatile.Read(ref peer.Restarted);
            if (restarted)
            {
                Volatile.Write(ref peer.Restarted, false);
                _events.Add(new PeerEvent(silo, PeerChange.Restarted));
            }

            var silent = now - Volatile.Read(ref peer.LastHeard) >= suspectAfterTicks;
            if (silent && !peer.Suspected)
            {
                Volatile.Write(ref peer.Suspected, true);
                _events.Add(new PeerEvent(silo, PeerChange.Suspected));
            }
            else if (!silent && peer.Suspected)
            {
                Volatile.Write(ref peer.Suspected, false);
                if (!restarted)
                {
                    _events.Add(new PeerEvent(silo, PeerChange.Returned));
                }
            }
        }

        return _events;
    }

    /// <summary>Whether <paramref name="silo"/> is suspected now. Any thread.</summary>
    public bool IsSuspected(string silo) => _peers.TryGetValue(silo, out var p) && Volatile.Read(ref p.Suspected);

    private sealed class Peer
    {
        public long LastHeard;
        public ulong Incarnation;
        public bool Restarted;
        // Written by the tick thread only; read by the engine's workers.
        public bool Suspected;
    }
}

/// <summary>A change in another silo's liveness.</summary>
internal readonly record struct PeerEvent(string Silo, PeerChange Change);

internal enum PeerChange : byte
{
    /// <summary>Silent for an election timeout: the replicas it leads may be gone.</summary>
    Suspected,

    /// <summary>A new incarnation: its replicas restarted from their logs, none leads and none is quiesced.</summary>
    Restarted,

    /// <summary>
    /// Heard again after a suspicion, the same incarnation (paused, or cut off): leaders that
    /// quiesced without waiting for its replicas must now bring them up to date.
    /// </summary>
    Returned,
}
