namespace MultiRaft.Storage.FileWal;

/// <summary>
/// The bytes of records waiting for the next group commit. Appenders fill one while the writer
/// writes the other; the two are swapped under the provider's lock, so neither is ever copied.
/// </summary>
internal sealed class PendingBuffer
{
    private const int InitialBytes = 64 * 1024;
    private const int ShrinkAbove = 1024 * 1024;

    private byte[] _bytes = new byte[InitialBytes];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, Length);

    public Span<byte> WrittenMutable => _bytes.AsSpan(0, Length);

    /// <summary>The bytes held, used or not.</summary>
    public int Capacity => _bytes.Length;

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

    /// <summary>
    /// Empties the buffer for the next batch. One that a burst grew (thousands of replicas created
    /// at once) and whose last batch used little of it goes back to its first size: idle, a silo
    /// should not keep megabytes for a burst that is over.
    /// </summary>
    public void Clear()
    {
        if (_bytes.Length > ShrinkAbove && Length < _bytes.Length / 8)
        {
            _bytes = new byte[InitialBytes];
        }

        Length = 0;
    }

}
