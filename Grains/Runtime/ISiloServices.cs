using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Runtime;

/// <summary>What the silo's own grains (its inbox, the router façade) ask of the silo that hosts them.</summary>
public interface ISiloServices
{
    /// <summary>This silo's name (the key of its <c>ISiloGrain</c>).</summary>
    string SiloId { get; }

    /// <summary>Hands an encoded batch of Raft messages to the engine. Must not block.</summary>
    void Deliver(byte[] batch);

    /// <summary>Takes an encoded piece of a snapshot message; hands the message to the engine once complete. Must not block.</summary>
    void DeliverChunk(byte[] chunk);

    /// <summary>The cluster view as this silo applied it (OK), or UNAVAILABLE before it has one.</summary>
    ClientResponse GetView();

    /// <summary>Registers a silo through this silo's router replica, if it leads.</summary>
    ValueTask<ClientResponse> RegisterAsync(SiloInfo silo, uint timeoutMs, bool emptyStorage);
}
