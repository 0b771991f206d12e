using Orleans.Placement;
using Orleans.Runtime;

namespace MultiRaft.Grains.Interfaces;

/// <summary>
/// Places a grain only on the silo its key names (<see cref="GrainKeys.HomeSilo"/>), matched by
/// the silo's name, and refuses every other silo: a replica's Raft state lives in its home
/// silo's WAL, so an activation anywhere else would be a member without its log.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class SiloPinnedPlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static readonly SiloPinnedPlacement Instance = new();
}

/// <summary>Marks a grain class as pinned to the silo its key names.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloPinnedAttribute() : PlacementAttribute(SiloPinnedPlacement.Instance);
