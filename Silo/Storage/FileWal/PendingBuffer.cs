namespace MultiRaft.Storage.FileWal;

/// <summary>
/// The bytes of records waiting for the next group commit. Appenders fill one while the writer
/// writes the other; the two are swapped under the provider's lock, so neither is ever copied.
/// </summary>
internal sealed class PendingBuffer
{
    private byte[] _bytes = new byte[64 * 1024];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, Length);

    public Span<byte> WrittenMutable => _bytes.AsSpan(0, Length);

    /// <summary>Reserves <paramref name="size"/> bytes at the end and returns them.</summary>
    public Span<byte> Reserve(int size)
    {
        if (_bytes.Length - Length < size)
        {
            var grown = new byte[Math.Max(_bytes.Length * 2, Length + size)];
            _bytes.AsSpan(0, Length).CopyTo(grown);
            _bytes = grown;
        }

        var span = _bytes.AsSpan(Length, size);
        Length += size;
        return span;
    }

    public void Clear() => Length = 0;
}
