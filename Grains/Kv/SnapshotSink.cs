using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MultiRaft.Grains.Kv;

/// <summary>Writes snapshot fields to a buffer writer, a stream, or nowhere, hashing everything written.</summary>
internal sealed class SnapshotSink : IDisposable
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IBufferWriter<byte>? writer;
    private readonly Stream? stream;
    private readonly byte[] scratch = new byte[8];

    public SnapshotSink(IBufferWriter<byte>? writer, Stream? stream)
    {
        this.writer = writer;
        this.stream = stream;
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        hash.AppendData(data);
        writer?.Write(data);
        stream?.Write(data);
    }

    public void WriteByte(byte b)
    {
        scratch[0] = b;
        Write(scratch.AsSpan(0, 1));
    }

    public void WriteUInt64(ulong v)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(scratch, v);
        Write(scratch);
    }

    public void WriteInt64(long v)
    {
        BinaryPrimitives.WriteInt64LittleEndian(scratch, v);
        Write(scratch);
    }

    public void WriteInt32(int v)
    {
        BinaryPrimitives.WriteInt32LittleEndian(scratch, v);
        Write(scratch.AsSpan(0, 4));
    }

    public void WriteBytes(ReadOnlySpan<byte> data)
    {
        WriteInt32(data.Length);
        Write(data);
    }

    /// <summary>Appends the SHA-256 of everything written (unhashed) and returns it.</summary>
    public byte[] Finish()
    {
        var digest = hash.GetHashAndReset();
        writer?.Write(digest);
        stream?.Write(digest);
        return digest;
    }

    public void Dispose() => hash.Dispose();
}
