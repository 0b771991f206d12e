using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Interfaces;

/// <summary>
/// Which client operations go through a silo's grain (<see cref="ISiloGrain.Serve"/>) rather than
/// the replica's own: the one list clients route by and silos check against.
/// </summary>
public static class SiloServed
{
    /// <summary>Reads, writes, scans and session openings: a client's traffic, not operator calls.</summary>
    public static bool Includes(ClientRequest.OpOneofCase op) =>
        op is ClientRequest.OpOneofCase.Get or ClientRequest.OpOneofCase.Write or ClientRequest.OpOneofCase.Scan or ClientRequest.OpOneofCase.OpenSession;
}
