using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Kv;

namespace MultiRaft.Grains.Tests;

/// <summary>
/// The documented rules written as plainly as possible (a dictionary, a list scanned from end to
/// end, a sort per scan) to cross-check <see cref="KvStateMachine"/>.
/// </summary>
internal sealed class NaiveKvModel(KvSessionOptions options)
{
    private readonly Dictionary<string, (byte[] Value, ulong Version)> map = [];
    private readonly List<Session> sessions = []; // least recently touched first

    public long Now { get; private set; }

    public int SessionCount => sessions.Count;

    // The newest second of a dropped client-named session.
    public long Floor { get; private set; }

    public ulong? VersionOf(byte[] key) => map.TryGetValue(Convert.ToHexString(key), out var e) ? e.Version : null;

    public KvResult Apply(ulong index, KvCommand c)
    {
        Now = Math.Max(Now, c.TimestampMs);
        foreach (var gone in sessions.Where(s => Now - s.Touch > options.SessionTtlMs).ToList())
        {
            Drop(gone);
        }

        if (c.Kind == KvCommandKind.OpenSession)
        {
            Open(index);
            return KvResult.Ok(index);
        }

        if (c.ClientId == 0)
        {
            return Execute(index, c);
        }

        var s = sessions.Find(x => x.Id == c.ClientId);
        if (s is null && c.Sequence == 1 && SessionIds.IsClientNamed(c.ClientId)
            && SessionIds.SecondOf(c.ClientId) > Floor && SessionIds.SecondOf(c.ClientId) * 1000 <= Now + (5 * 60 * 1000))
        {
            s = Open(c.ClientId);
        }

        if (s is null)
        {
            return KvResult.SessionExpired;
        }

        sessions.Remove(s);
        sessions.Add(s);
        s.Touch = Now;
        if (c.Sequence < s.Seq)
        {
            return KvResult.StaleRequest;
        }

        if (c.Sequence > s.Seq)
        {
            s.Seq = c.Sequence;
            s.Result = Execute(index, c);
        }

        return s.Result;
    }

    public List<(string Key, string Value, ulong Version)> Scan(byte[] prefix, int limit, byte[] startAfter)
    {
        var all = map.Select(kv => (Key: Convert.FromHexString(kv.Key), kv.Value.Value, kv.Value.Version)).ToList();
        all.Sort((a, b) => Ordinal(a.Key, b.Key));
        return all
            .Where(e => e.Key.Length >= prefix.Length && e.Key.Take(prefix.Length).SequenceEqual(prefix))
            .Where(e => startAfter.Length == 0 || Ordinal(e.Key, startAfter) > 0)
            .Take(limit)
            .Select(e => (Convert.ToHexString(e.Key), Convert.ToHexString(e.Value), e.Version))
            .ToList();
    }

    private Session Open(ulong id)
    {
        var s = new Session { Id = id, Touch = Now };
        sessions.Add(s);
        if (sessions.Count > options.MaxSessions)
        {
            Drop(sessions[0]);
        }

        return s;
    }

    private void Drop(Session s)
    {
        sessions.Remove(s);
        if (SessionIds.IsClientNamed(s.Id))
        {
            Floor = Math.Max(Floor, SessionIds.SecondOf(s.Id));
        }
    }

    private static int Ordinal(byte[] a, byte[] b)
    {
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            if (a[i] != b[i])
            {
                return a[i] < b[i] ? -1 : 1;
            }
        }

        return a.Length.CompareTo(b.Length);
    }

    private KvResult Execute(ulong index, KvCommand c)
    {
        var key = Convert.ToHexString(c.Key.Span);
        var present = map.TryGetValue(key, out var cur);
        var v = present ? cur.Version : 0UL;
        if (c.Kind == KvCommandKind.Put
            || (c.Kind == KvCommandKind.CompareAndSet && v == c.ExpectedVersion)
            || (c.Kind == KvCommandKind.Create && !present))
        {
            map[key] = (c.Value.ToArray(), index);
            return KvResult.Ok(index);
        }

        if (c.Kind == KvCommandKind.Delete && !present)
        {
            return KvResult.NotFound;
        }

        if (c.Kind == KvCommandKind.Delete || (c.Kind == KvCommandKind.CompareAndDelete && v == c.ExpectedVersion))
        {
            map.Remove(key);
            return KvResult.Ok(v);
        }

        return KvResult.PreconditionFailed(v);
    }

    private sealed class Session
    {
        public ulong Id { get; init; }

        public ulong Seq { get; set; }

        public KvResult Result { get; set; }

        public long Touch { get; set; }
    }
}
