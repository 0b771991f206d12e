using System.Globalization;

namespace MultiRaft.Grains.Interfaces;

/// <summary>
/// The string keys of pinned grains. A replica's key names its shard, its Raft node id and its
/// home silo (<c>{shard}.{replica}@{silo}</c>); a silo's own grains are keyed by the silo's name.
/// The placement director reads the home silo out of the key, so a key alone decides where its
/// grain may live.
/// </summary>
public static class GrainKeys
{
    /// <summary>The key of replica <paramref name="replicaId"/> of <paramref name="shardId"/> living on <paramref name="siloId"/>.</summary>
    public static string Replica(ulong shardId, ulong replicaId, string siloId) =>
        string.Create(CultureInfo.InvariantCulture, $"{shardId}.{replicaId}@{siloId}");

    /// <summary>Reads a replica key; false when it is not one.</summary>
    public static bool TryParseReplica(string key, out ulong shardId, out ulong replicaId, out string siloId)
    {
        shardId = replicaId = 0;
        siloId = "";
        var at = key.IndexOf('@', StringComparison.Ordinal);
        var dot = at < 0 ? -1 : key.IndexOf('.', StringComparison.Ordinal);
        if (at < 0 || dot < 0 || dot > at
            || !ulong.TryParse(key.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out shardId)
            || !ulong.TryParse(key.AsSpan(dot + 1, at - dot - 1), NumberStyles.None, CultureInfo.InvariantCulture, out replicaId)
            || at == key.Length - 1)
        {
            return false;
        }

        siloId = key[(at + 1)..];
        return true;
    }

    /// <summary>The home silo a pinned grain's key names: after the <c>@</c> of a replica key, else the whole key.</summary>
    public static string HomeSilo(string key)
    {
        var at = key.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? key : key[(at + 1)..];
    }
}
