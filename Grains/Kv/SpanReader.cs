using System.Buffers.Binary;

namespace MultiRaft.Grains.Kv;

/// <summary>Reads little-endian fields, turning every overrun into a <see cref="FormatException"/> naming <c>what</c> was read.</summary>
internal ref struct SpanReader(ReadOnlySpan<byte> data, string what)
{
    private readonly ReadOnlySpan<byte> data = data;
    private int position;

    public readonly int Remaining => data.Length - position;

    public byte ReadByte() => Take(1)[0];

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public int ReadCount(string field)
    {
        var n = BinaryPrimitives.ReadInt32LittleEndian(Take(4));
        if (n < 0 || n > Remaining)
        {
            throw new FormatException($"{what}: {field} {n} does not fit the {Remaining} bytes left");
        }

        return n;
    }

    public byte[] ReadBytes(string field) => Take(ReadCount(field)).ToArray();

    public ReadOnlySpan<byte> Take(int n)
    {
        if (n > Remaining)
        {
            throw new FormatException($"{what}: truncated at byte {position} (needs {n}, has {Remaining})");
        }

        var s = data.Slice(position, n);
        position += n;
        return s;
    }

    public readonly void ExpectEnd()
    {
        if (Remaining != 0)
        {
            throw new FormatException($"{what}: {Remaining} trailing bytes");
        }
    }
}
