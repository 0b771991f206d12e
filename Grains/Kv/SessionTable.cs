using MultiRaft.Grains.Interfaces;

namespace MultiRaft.Grains.Kv;

/// <summary>
/// The bounded table of client sessions. Its only clock is the log: <see cref="NowMs"/> is the
/// largest leader timestamp applied so far (a max, so a new leader with a slower clock never moves
/// it back). Rules, applied identically on every replica:
/// <list type="number">
/// <item>Before each command, sessions idle for more than the TTL (<c>NowMs - LastTouchMs &gt; ttl</c>) are evicted.</item>
/// <item>Opening a session beyond the cap evicts the least recently touched one.</item>
/// <item>A command of a session touches it (LRU position and time), whether it applies or is a retry.</item>
/// <item>Dropping a client-named session (either way) raises <see cref="DroppedSecond"/> to its id's second; a
/// client-named id opens only if drawn after that second and at most <see cref="MaxClockAheadMs"/> ahead of
/// <see cref="NowMs"/> (see <see cref="SessionIds"/>).</item>
/// </list>
/// Sessions are kept in touch order. Touch times are taken from <see cref="NowMs"/>, which never
/// decreases, so that order is also ascending by touch time: the expired sessions and the LRU
/// victim are always at the head, found in O(1).
/// </summary>
internal sealed class SessionTable(KvSessionOptions options)
{
    /// <summary>
    /// How far ahead of the log's clock a client-named id may be drawn. Without a bound, one client
    /// with a clock far ahead would raise <see cref="DroppedSecond"/> past every other client's ids
    /// once its sessions expire, and send them all back to opening sessions by proposal.
    /// </summary>
    public const long MaxClockAheadMs = 5 * 60 * 1000;

    // Created with the first session: most replicas on a silo never see one, and the empty
    // collections would still cost their objects.
    private Dictionary<ulong, LinkedListNode<ClientSession>>? byClient;
    private LinkedList<ClientSession>? byTouch;

    public int Count => byClient?.Count ?? 0;

    public long NowMs { get; private set; }

    /// <summary>The newest second of a client-named session dropped so far (0: none).</summary>
    public long DroppedSecond { get; private set; }

    /// <summary>Sessions from least to most recently touched: the order is state and is snapshotted.</summary>
    public IEnumerable<ClientSession> InTouchOrder => byTouch is null ? [] : byTouch;

    public static SessionTable Restore(KvSessionOptions options, long nowMs, long droppedSecond, IEnumerable<ClientSession> inTouchOrder)
    {
        var t = new SessionTable(options) { NowMs = nowMs, DroppedSecond = droppedSecond };
        foreach (var s in inTouchOrder)
        {
            t.AddLast(s);
        }

        return t;
    }

    /// <summary>Moves the clock to a newly applied entry's timestamp and evicts idle sessions.</summary>
    public void Advance(long timestampMs)
    {
        NowMs = Math.Max(NowMs, timestampMs);
        while (byTouch?.First is { } head && IdleMs(head.Value) > (ulong)options.SessionTtlMs)
        {
            Remove(head);
        }
    }

    /// <summary>Whether a write naming the unknown <paramref name="clientId"/> with sequence 1 may open it.</summary>
    public bool MayOpenClientNamed(ulong clientId)
    {
        var second = SessionIds.SecondOf(clientId);
        return SessionIds.IsClientNamed(clientId) && second > DroppedSecond && second * 1000 <= NowMs + MaxClockAheadMs;
    }

    /// <summary>Opens a session, touched now (the cap's eviction never takes it: it is the most recent).</summary>
    public ClientSession Open(ulong clientId)
    {
        var session = new ClientSession(clientId, 0, default, NowMs);
        AddLast(session);
        while (Count > options.MaxSessions)
        {
            Remove(byTouch!.First!);
        }

        return session;
    }

    /// <summary>Finds a session and marks it as just used.</summary>
    public ClientSession? Touch(ulong clientId)
    {
        if (byClient is null || !byClient.TryGetValue(clientId, out var node))
        {
            return null;
        }

        byTouch!.Remove(node);
        byTouch.AddLast(node);
        node.Value.LastTouchMs = NowMs;
        return node.Value;
    }

    // NowMs >= LastTouchMs always; the unsigned difference is exact even across the sign boundary.
    private ulong IdleMs(ClientSession s) => unchecked((ulong)NowMs - (ulong)s.LastTouchMs);

    private void AddLast(ClientSession s) => (byClient ??= []).Add(s.ClientId, (byTouch ??= new()).AddLast(s));

    private void Remove(LinkedListNode<ClientSession> node)
    {
        if (SessionIds.IsClientNamed(node.Value.ClientId))
        {
            DroppedSecond = Math.Max(DroppedSecond, SessionIds.SecondOf(node.Value.ClientId));
        }

        byTouch!.Remove(node);
        byClient!.Remove(node.Value.ClientId);
    }
}
