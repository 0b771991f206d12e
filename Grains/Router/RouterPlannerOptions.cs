namespace MultiRaft.Grains.Router;

/// <summary>Knobs of <see cref="RouterPlanner"/>.</summary>
/// <param name="ReplicationFactor">Replicas each data shard should have (at most one fewer than <see cref="RouterStateMachine.MaxDataReplicas"/>: a replacement moves in beside the replica it replaces).</param>
/// <param name="MaxMetaVoters">Voters the meta shard keeps on ACTIVE silos; other meta replicas are learners.</param>
/// <param name="DownTimeMs">
/// How long a silo may go without reporting before its data replicas are replaced, even if Orleans
/// has not declared it dead (a silo declared dead is replaced at once).
/// </param>
public sealed record RouterPlannerOptions(int ReplicationFactor = 3, int MaxMetaVoters = 3, long DownTimeMs = 30_000);
