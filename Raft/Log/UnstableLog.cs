namespace MultiRaft.Raft;

/// <summary>
/// Entries (and possibly an incoming snapshot) not yet handed to stable storage. Invariants:
/// entries are contiguous from <see cref="Offset"/>; a snapshot, if present, ends at Offset - 1.
/// </summary>
/// <remarks>
/// Entries stay here only until the Ready that hands them to storage is advanced, so an idle
/// member has none: the buffer starts empty, doubles from a few entries as needed, and
/// <see cref="TrimExcess"/> gives it back.
/// </remarks>
internal sealed class UnstableLog
{
    private const int FirstCapacity = 4;

    private Entry[] _entries = [];

    public UnstableLog(ulong offset) => Offset = offset;

    /// <summary>The index of the first unstable entry.</summary>
    public ulong Offset { get; private set; }

    public int Count { get; private set; }

    public Snapshot? Snapshot { get; private set; }

    public ReadOnlySpan<Entry> Entries => _entries.AsSpan(0, Count);

    /// <summary>Entries the buffer holds room for.</summary>
    public int Capacity => _entries.Length;

    /// <summary>True when the snapshot index is the log's first index - 1.</summary>
    public bool TryFirstIndex(out ulong index)
    {
        if (Snapshot is not null)
        {
            index = Snapshot.Index + 1;
            return true;
        }

        index = 0;
        return false;
    }

    public bool TryLastIndex(out ulong index)
    {
        if (Count > 0)
        {
            index = Offset + (ulong)Count - 1;
            return true;
        }

        if (Snapshot is not null)
        {
            index = Snapshot.Index;
            return true;
        }

        index = 0;
        return false;
    }

    public bool TryTerm(ulong index, out ulong term)
    {
        if (index < Offset)
        {
            if (Snapshot is not null && Snapshot.Index == index)
            {
                term = Snapshot.Term;
                return true;
            }

            term = 0;
            return false;
        }

        if (index - Offset >= (ulong)Count)
        {
            term = 0;
            return false;
        }

        term = _entries[index - Offset].Term;
        return true;
    }

    public ref readonly Entry At(ulong index) => ref _entries[index - Offset];

    /// <summary>Entries up to (index, term) reached stable storage.</summary>
    public void StableTo(ulong index, ulong term)
    {
        // A mismatched term means the entry was replaced after the write started; keep it.
        if (!TryTerm(index, out var t) || t != term || index < Offset)
        {
            return;
        }

        var n = (int)(index + 1 - Offset);
        Array.Copy(_entries, n, _entries, 0, Count - n);
        Array.Clear(_entries, Count - n, n);
        Count -= n;
        Offset = index + 1;
        if (Oversized.Is(_entries.Length, Count))
        {
            if (Count == 0)
            {
                _entries = [];
            }
            else
            {
                Array.Resize(ref _entries, Math.Max(FirstCapacity, Count * 2));
            }
        }
    }

    public void StableSnapTo(ulong index)
    {
        if (Snapshot is not null && Snapshot.Index == index)
        {
            Snapshot = null;
        }
    }

    public void Restore(Snapshot s)
    {
        Array.Clear(_entries, 0, Count);
        Count = 0;
        Offset = s.Index + 1;
        Snapshot = s;
    }

    public void Append(in Entry e)
    {
        if (Count == _entries.Length)
        {
            Array.Resize(ref _entries, Math.Max(FirstCapacity, _entries.Length * 2));
        }

        _entries[Count++] = e;
    }

    /// <summary>Releases the buffer when no entry is unstable.</summary>
    public void TrimExcess()
    {
        if (Count == 0)
        {
            _entries = [];
        }
    }

    /// <summary>Appends, first dropping any unstable entries at or after the first new index.</summary>
    public void TruncateAndAppend(ReadOnlySpan<Entry> ents)
    {
        var from = ents[0].Index;
        var end = Offset + (ulong)Count;
        if (from == end)
        {
            // Plain append.
        }
        else if (from <= Offset)
        {
            // Replaces every unstable entry (and, for storage, the stable ones from 'from' on).
            Array.Clear(_entries, 0, Count);
            Count = 0;
            Offset = from;
        }
        else if (from < end)
        {
            var keep = (int)(from - Offset);
            Array.Clear(_entries, keep, Count - keep);
            Count = keep;
        }
        else
        {
            throw new RaftInvariantException($"unstable append at {from} leaves a gap after {end - 1}");
        }

        foreach (ref readonly var e in ents)
        {
            Append(e);
        }
    }
}
