namespace MultiRaft.Grains.Router;

/// <summary>The result of applying one router command.</summary>
/// <param name="Outcome">Whether the command applied.</param>
/// <param name="Reason">Why it was refused (one of <see cref="RouterRefusals"/>), else null.</param>
/// <param name="ReplicaId">
/// The replica the command concerns: the silo's meta replica for RegisterSilo, the new replica for
/// AddReplica, the changed one for SetReplicaRole; 0 otherwise.
/// </param>
public readonly record struct RouterResult(RouterOutcome Outcome, string? Reason = null, ulong ReplicaId = 0)
{
    internal static RouterResult Refused(string reason) => new(RouterOutcome.Refused, reason);

    internal static RouterResult Unknown(string siloId) => new(RouterOutcome.UnknownSilo, RouterRefusals.UnknownSilo + ": " + siloId);
}
