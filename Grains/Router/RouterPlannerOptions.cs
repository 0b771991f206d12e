namespace MultiRaft.Grains.Router;

/// <summary>Knobs of <see cref="RouterPlanner"/>.</summary>
/// <param name="ReplicationFactor">Replicas each data shard should have (at most <see cref="RouterStateMachine.MaxDataReplicas"/> are accepted).</param>
/// <param name="MaxMetaVoters">Voters the meta shard keeps on ACTIVE silos; other meta replicas are learners.</param>
public sealed record RouterPlannerOptions(int ReplicationFactor = 3, int MaxMetaVoters = 3);
