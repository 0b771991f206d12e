using MultiRaft.Raft;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>Acknowledged indexes from a plain map, and votes written as one letter per voter.</summary>
internal readonly struct AckMap(IReadOnlyDictionary<ulong, ulong> acks) : IAckedIndexer
{
    public bool TryAcked(ulong id, out ulong index) => acks.TryGetValue(id, out index);
}

internal static class QuorumFixtures
{
    /// <summary>Acks aligned with <paramref name="ids"/>.</summary>
    public static AckMap Acks(ulong[] ids, ulong[] acked) =>
        new(ids.Zip(acked).ToDictionary(p => p.First, p => p.Second));

    /// <summary>Votes aligned with <paramref name="ids"/>: 'y' granted, 'n' refused, '_' not yet heard.</summary>
    public static Dictionary<ulong, bool> Votes(ulong[] ids, string votes)
    {
        var d = new Dictionary<ulong, bool>();
        for (var i = 0; i < ids.Length; i++)
        {
            if (votes[i] != '_')
            {
                d[ids[i]] = votes[i] == 'y';
            }
        }

        return d;
    }
}
