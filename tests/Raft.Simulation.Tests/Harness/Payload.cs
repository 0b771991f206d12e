using System.Buffers.Binary;

namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>Client payloads: a unique 8-byte id followed by filler up to the payload size.</summary>
public static class Payload
{
    public static byte[] Create(ulong id, int size)
    {
        var b = new byte[Math.Max(8, size)];
        BinaryPrimitives.WriteUInt64LittleEndian(b, id);
        return b;
    }

    /// <summary>The id of a client payload; 0 for the empty entries leaders append.</summary>
    public static ulong IdOf(ReadOnlySpan<byte> data) =>
        data.Length >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(data) : 0;
}
