using Google.Protobuf;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Silo.Placement;

namespace MultiRaft.Silo.Messaging;

/// <summary>
/// Sends an engine turn's Raft messages to other silos: one one-way call to each destination
/// silo's <see cref="ISiloGrain"/>, carrying every shard's messages for that silo. Orleans
/// delivers at most once and in no set order, which Raft tolerates.
/// </summary>
internal sealed class OrleansRaftSender(IGrainFactory grains, SiloDirectory directory, string selfSiloId) : IRaftSender
{
    // A clock reading taken when this process starts: a restarted silo sends another, so receivers tell a restart from a pause.
    private readonly ulong _incarnation = (ulong)DateTime.UtcNow.Ticks;
    private readonly SiloGrainReferences _silos = new(grains);
    private byte[]? _beat;

    public bool IsReachable(string siloId) => directory.ActiveSilo(siloId) is not null;

    public void Send(string siloId, MessageBatch batch)
    {
        batch.FromSilo = selfSiloId;
        batch.FromIncarnation = _incarnation;
        // One way: the returned task is already complete, and a lost batch is Raft's to repeat.
        _ = _silos.Of(siloId).Deliver(batch.ToByteArray());
    }

    public void SendBeats()
    {
        // The same bytes every time, never written after they are made, so every call may share them.
        var beat = _beat ??= new MessageBatch { FromSilo = selfSiloId, FromIncarnation = _incarnation }.ToByteArray();
        try
        {
            foreach (var name in directory.ActiveNames)
            {
                if (!string.Equals(name, selfSiloId, StringComparison.Ordinal))
                {
                    _ = _silos.Of(name).Deliver(beat);
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // The silo is stopping (its services are gone) while the engine's last ticks run: nothing to tell.
        }
    }

    public void SendChunk(string siloId, SnapshotChunk chunk)
    {
        chunk.FromSilo = selfSiloId;
        _ = _silos.Of(siloId).DeliverChunk(chunk.ToByteArray());
    }
}
