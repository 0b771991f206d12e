using Orleans.Runtime;
using SiloStatus = Orleans.Runtime.SiloStatus;


namespace MultiRaft.Silo.Placement;

/// <summary>
/// Silo names to the addresses of their active generations, as this silo's Orleans membership
/// sees them. Rebuilt only when the membership version changes: the engine asks once per
/// destination per turn, and the placement director once per activation.
/// </summary>
internal sealed class SiloDirectory(IClusterMembershipService membership)
{
    private Snapshot? _snapshot;

    /// <summary>The active silo named <paramref name="siloName"/>, or null (unknown, joining, shutting down or dead).</summary>
    public SiloAddress? ActiveSilo(string siloName) => Current().Active.GetValueOrDefault(siloName);

    /// <summary>Names of the active silos.</summary>
    public IEnumerable<string> ActiveNames => Current().Active.Keys;

    /// <summary>Names of the silos Orleans lists as dead and not active again under the same name.</summary>
    public IReadOnlySet<string> DeadNames => Current().Dead;

    private Snapshot Current()
    {
        var membershipSnapshot = membership.CurrentSnapshot;
        var cached = Volatile.Read(ref _snapshot);
        if (cached is not null && cached.Version == membershipSnapshot.Version)
        {
            return cached;
        }

        var active = new Dictionary<string, SiloAddress>(StringComparer.Ordinal);
        var dead = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in membershipSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active)
            {
                // A restarted silo has a new generation; if an old one still shows active, the newer wins.
                if (!active.TryGetValue(member.Name, out var known) || known.Generation < member.SiloAddress.Generation)
                {
                    active[member.Name] = member.SiloAddress;
                }
            }
            else if (member.Status == SiloStatus.Dead)
            {
                dead.Add(member.Name);
            }
        }

        dead.ExceptWith(active.Keys);
        var fresh = new Snapshot(membershipSnapshot.Version, active, dead);
        Volatile.Write(ref _snapshot, fresh);
        return fresh;
    }

    private sealed record Snapshot(MembershipVersion Version, Dictionary<string, SiloAddress> Active, HashSet<string> Dead);
}
