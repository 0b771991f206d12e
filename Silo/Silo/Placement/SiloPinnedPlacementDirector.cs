using MultiRaft.Grains.Interfaces;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace MultiRaft.Silo.Placement;

/// <summary>
/// Places a <see cref="SiloPinnedPlacement"/> grain on the active silo its key names, and
/// refuses when that silo is not active (down, restarting, unknown): a replica must never run
/// without its WAL. Runs on the silo where the call enters, from that silo's membership view.
/// </summary>
internal sealed class SiloPinnedPlacementDirector(SiloDirectory directory) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = target.GrainIdentity.Key.ToString() ?? "";
        var home = GrainKeys.HomeSilo(key);
        var silo = directory.ActiveSilo(home);
        if (silo is null || !context.GetCompatibleSilos(target).Contains(silo))
        {
            throw PlacementRefusal.Create(key, home);
        }

        return Task.FromResult(silo);
    }
}
