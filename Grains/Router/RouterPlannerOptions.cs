namespace MultiRaft.Grains.Router;

/// <summary>Knobs of <see cref="RouterPlanner"/>.</summary>
/// <param name="ReplicationFactor">Replicas each data shard should have (at most one fewer than <see cref="RouterStateMachine.MaxDataReplicas"/>: a replacement moves in beside the replica it replaces).</param>
/// <param name="MaxMetaVoters">Voters the meta shard keeps on ACTIVE silos; other meta replicas are learners.</param>
/// <param name="DownTimeMs">
/// How long a silo may go without reporting before its data replicas are replaced, even if Orleans
/// has not declared it dead (a silo declared dead is replaced at once).
/// </param>
/// <param name="MaxMovesPerSilo">
/// Replicas the balancer lets move into one silo at a time: each one is a snapshot to send and a
/// log to catch up, taken from the same disks and cores that serve requests.
/// </param>
/// <param name="BalanceLeaders">Whether the planner spreads shard leaderships over the silos (names preferred leaders).</param>
/// <param name="SplitKeys">Keys (as the shard's leader reports them) past which a shard is split at the middle of its range; 0: never.</param>
/// <param name="SplitBytes">Bytes of keys and values past which a shard is split; 0: never.</param>
public sealed record RouterPlannerOptions(int ReplicationFactor = 3, int MaxMetaVoters = 3, long DownTimeMs = 30_000, int MaxMovesPerSilo = 2,
    bool BalanceLeaders = true, long SplitKeys = 1_000_000, long SplitBytes = 64L << 20);
