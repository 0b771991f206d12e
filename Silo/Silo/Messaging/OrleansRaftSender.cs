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
    public bool IsReachable(string siloId) => directory.ActiveSilo(siloId) is not null;

    public void Send(string siloId, MessageBatch batch)
    {
        batch.FromSilo = selfSiloId;
        // One way: the returned task is already complete, and a lost batch is Raft's to repeat.
        _ = grains.GetGrain<ISiloGrain>(siloId).Deliver(batch.ToByteArray());
    }

    public void SendChunk(string siloId, SnapshotChunk chunk)
    {
        chunk.FromSilo = selfSiloId;
        _ = grains.GetGrain<ISiloGrain>(siloId).DeliverChunk(chunk.ToByteArray());
    }
}
