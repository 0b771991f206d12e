using System.Buffers.Binary;

namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>
/// The replicated application: the ordered list of distinct client ids applied. A payload whose
/// id was applied before is a no-op, as a client session table would make it (the network may
/// duplicate a forwarded proposal, and Raft does not deduplicate). A rolling digest lets the
/// checker compare replicas in O(1) per entry.
/// </summary>
public sealed class StateMachine
{
    private readonly List<ulong> _ids = [];
    private readonly HashSet<ulong> _seen = [];

    /// <summary>The log index of the last entry applied (or the snapshot restored).</summary>
    public ulong AppliedIndex { get; private set; }

    public ulong Digest { get; private set; }

    public int Count => _ids.Count;

    public IReadOnlyList<ulong> Ids => _ids;

    public static ulong Mix(ulong digest, ulong id) => unchecked((digest ^ id) * 0x100000001B3UL + 0x9E3779B97F4A7C15UL);

    /// <summary>Applies the entry at <paramref name="index"/>; true when it added an id.</summary>
    public bool Apply(ulong index, in Entry e)
    {
        if (index != AppliedIndex + 1)
        {
            throw new SimulationFailure($"applied index {index} does not follow {AppliedIndex}");
        }

        AppliedIndex = index;
        if (e.Type != EntryType.Normal)
        {
            return false;
        }

        var id = Payload.IdOf(e.Data.Span);
        if (id == 0 || !_seen.Add(id))
        {
            return false;
        }

        _ids.Add(id);
        Digest = Mix(Digest, id);
        return true;
    }

    public byte[] Encode()
    {
        var b = new byte[8 * _ids.Count];
        for (var i = 0; i < _ids.Count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8 * i), _ids[i]);
        }

        return b;
    }

    /// <summary>Replaces the state with a snapshot image taken at <paramref name="index"/>.</summary>
    public void Restore(ulong index, ReadOnlySpan<byte> image)
    {
        _ids.Clear();
        _seen.Clear();
        Digest = 0;
        for (var o = 0; o + 8 <= image.Length; o += 8)
        {
            var id = BinaryPrimitives.ReadUInt64LittleEndian(image[o..]);
            _ids.Add(id);
            _seen.Add(id);
            Digest = Mix(Digest, id);
        }

        AppliedIndex = index;
    }
}
