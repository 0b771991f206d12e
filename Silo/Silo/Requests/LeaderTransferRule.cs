using MultiRaft.Raft;

namespace MultiRaft.Silo.Requests;

/// <summary>
/// When a shard's leader refuses to hand its leadership to a replica (PD's rule: only to a
/// voter that has caught up): a learner cannot lead, and a transfer to a replica far behind
/// would stall the shard's writes while the target catches up.
/// </summary>
internal static class LeaderTransferRule
{
    /// <summary>How many committed entries the target may lack and still be handed the leadership.</summary>
    public const ulong MaxLag = 1000;

    /// <summary>Why the transfer is refused, or null when the target may lead.</summary>
    public static string? Refusal(ulong shardId, ulong target, string targetSilo, ConfState conf, ulong targetMatch, ulong committed)
    {
        ArgumentNullException.ThrowIfNull(conf);
        if (!conf.Voters.Contains(target))
        {
            var what = conf.Learners.Contains(target) ? "a learner still catching up" : "not in the group yet";
            return $"transfer refused: replica {target} of shard {shardId} on silo {targetSilo} is not a voter ({what})";
        }

        if (targetMatch + MaxLag < committed)
        {
            return $"transfer refused: replica {target} of shard {shardId} on silo {targetSilo} lags {committed - targetMatch} entries "
                + $"behind the commit index (at most {MaxLag} for a transfer)";
        }

        return null;
    }
}
