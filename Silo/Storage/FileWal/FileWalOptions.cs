using System.Diagnostics.Metrics;

namespace MultiRaft.Storage.FileWal;

/// <summary>How a <see cref="FileWalProvider"/> lays out its files.</summary>
public sealed class FileWalOptions
{
    /// <summary>The directory of the silo's log and snapshots (used when <see cref="Device"/> is null).</summary>
    public string Directory { get; set; } = "";

    /// <summary>
    /// A segment is sealed and a new one started once it holds at least this many bytes. A soft
    /// limit: one batch is never split across segments, so a segment may exceed it by a batch.
    /// </summary>
    public long SegmentSize { get; set; } = 64L << 20;

    /// <summary>
    /// Space reserved on disk for a new segment, so that a sync after an append need not also
    /// write back allocation metadata. Zero reserves nothing.
    /// </summary>
    public long PreallocateSize { get; set; } = 64L << 20;

    /// <summary>
    /// How many deleted segments are kept as spares and reused (renamed) for new segments instead
    /// of creating files: a reused file is already allocated, so appends to it sync only data.
    /// Their stale records can never pass for new ones (each checksum covers the segment's
    /// sequence number). Off by default: a reused head carries a dead segment's bytes past its
    /// last record, and recovery zeroes them (up to a segment's worth) on the next start.
    /// </summary>
    public int MaxSpareSegments { get; set; }

    /// <summary>The device to use instead of <see cref="Directory"/> (tests inject faults through it).</summary>
    public IWalDevice? Device { get; set; }

    /// <summary>Where the WAL records its fsync latency and batch sizes (the silo's <c>MultiRaft</c> meter); none if null.</summary>
    public Meter? Meter { get; set; }

    /// <summary>Throws if the options cannot work.</summary>
    public void Validate()
    {
        if (Device is null && string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException("FileWalOptions: set Directory (or Device)");
        }

        if (SegmentSize < 4096)
        {
            throw new ArgumentException($"FileWalOptions: SegmentSize {SegmentSize} is below 4096 bytes");
        }

        if (PreallocateSize < 0 || MaxSpareSegments < 0)
        {
            throw new ArgumentException("FileWalOptions: PreallocateSize and MaxSpareSegments cannot be negative");
        }
    }
}
