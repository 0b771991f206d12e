using System.Buffers.Binary;
using System.Numerics;

namespace MultiRaft.Storage.FileWal;

/// <summary>CRC-32C over a span, eight bytes per hardware step where the CPU has the instruction.</summary>
internal static class Crc32C
{
    /// <summary>Continues <paramref name="crc"/> (not inverted) over <paramref name="data"/>.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }

    /// <summary>The finished checksum of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(~0u, data);
}
