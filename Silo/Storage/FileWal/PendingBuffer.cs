namespace MultiRaft.Storage.FileWal;

/// <summary>
/// The bytes of records waiting for the next group commit. Appenders fill one while the writer
/// writes the other; the two are swapped under the provider's lock, so neither is ever copied.
/// </summary>
internal sealed class PendingBuffer
{
    private const int InitialBytes = 64 * 1024;
    private const int ShrinkAbove = 1024 * 1024;
    private const long ShrinkAfterMs = 1_000;

    private byte[] _bytes = new byte[InitialBytes];
    private long _lastLargeMs = long.MinValue / 2;

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
    /// Empties the buffer for the next batch, at <paramref name="nowMs"/> (a monotonic clock in
    /// milliseconds). One that a burst grew (thousands of replicas created at once) goes back to
    /// its first size at the first small batch (an eighth of it or less) a second or more after
    /// the last large one: idle, a silo should not keep megabytes for a burst that is over, and
    /// under load whose batches alternate large and small (10,000 replicas rewriting their live
    /// entries out of the log's oldest file between writes) giving the room back at every small
    /// batch regrew it, doubling from 64 KB, three kilobytes of garbage per write served.
    /// </summary>
    public void Clear(long nowMs)
    {
        if (Length > _bytes.Length / 8)
        {
            _lastLargeMs = nowMs;
        }
        else if (_bytes.Length > ShrinkAbove && nowMs - _lastLargeMs >= ShrinkAfterMs)
        {
            _bytes = new byte[InitialBytes];
        }

        Length = 0;
    }
}
