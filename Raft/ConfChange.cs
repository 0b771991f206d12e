using System.Buffers.Binary;

namespace MultiRaft.Raft;

/// <summary>What one membership change does.</summary>
public enum ConfChangeType : byte
{
    /// <summary>Add a voter, or promote a learner to voter.</summary>
    AddVoter = 0,

    /// <summary>Add a learner, or demote a voter to learner (through a joint configuration).</summary>
    AddLearner = 1,

    /// <summary>Remove a member.</summary>
    RemoveNode = 2,
}

/// <summary>How a set of changes is carried out.</summary>
public enum ConfChangeTransition : byte
{
    /// <summary>One voter change goes directly; several go through a joint configuration left automatically.</summary>
    Auto = 0,

    /// <summary>Always joint, left automatically by the leader once applied.</summary>
    JointImplicit = 1,

    /// <summary>Always joint, left only when the application proposes an empty change.</summary>
    JointExplicit = 2,
}

/// <summary>One change to one member.</summary>
public readonly record struct ConfChangeSingle(ConfChangeType Type, ulong NodeId);

/// <summary>
/// A membership change: one or more single changes, carried out directly or through a joint
/// configuration. An empty change leaves a joint configuration. <see cref="Context"/> is
/// opaque to the core (an application may put a member's address there).
/// </summary>
public sealed class ConfChange
{
    private const byte FormatVersion = 1;

    /// <summary>Creates a change.</summary>
    public ConfChange(ConfChangeTransition transition, IReadOnlyList<ConfChangeSingle> changes,
        ReadOnlyMemory<byte> context = default)
    {
        Transition = transition;
        Changes = changes;
        Context = context;
    }

    /// <summary>The change that leaves a joint configuration.</summary>
    public static ConfChange LeaveJoint { get; } = new(ConfChangeTransition.Auto, []);

    /// <summary>How the changes are carried out.</summary>
    public ConfChangeTransition Transition { get; }

    /// <summary>The single changes, applied in order.</summary>
    public IReadOnlyList<ConfChangeSingle> Changes { get; }

    /// <summary>Application data carried with the change.</summary>
    public ReadOnlyMemory<byte> Context { get; }

    /// <summary>A change of one member.</summary>
    public static ConfChange Single(ConfChangeType type, ulong nodeId) =>
        new(ConfChangeTransition.Auto, [new ConfChangeSingle(type, nodeId)]);

    /// <summary>True when this change leaves a joint configuration.</summary>
    public bool IsLeaveJoint => Changes.Count == 0 && Transition == ConfChangeTransition.Auto;

    /// <summary>
    /// Whether the change goes through a joint configuration, and if so whether the leader leaves
    /// it by itself.
    /// </summary>
    public bool EntersJoint(out bool autoLeave)
    {
        if (Transition != ConfChangeTransition.Auto || Changes.Count > 1)
        {
            autoLeave = Transition != ConfChangeTransition.JointExplicit;
            return true;
        }

        autoLeave = false;
        return false;
    }

    /// <summary>Encodes the change as an entry payload.</summary>
    public byte[] Encode()
    {
        var buf = new byte[1 + 1 + 4 + (Changes.Count * 9) + 4 + Context.Length];
        buf[0] = FormatVersion;
        buf[1] = (byte)Transition;
        BinaryPrimitives.WriteInt32LittleEndian(buf.AsSpan(2), Changes.Count);
        var o = 6;
        foreach (var c in Changes)
        {
            buf[o] = (byte)c.Type;
            BinaryPrimitives.WriteUInt64LittleEndian(buf.AsSpan(o + 1), c.NodeId);
            o += 9;
        }

        BinaryPrimitives.WriteInt32LittleEndian(buf.AsSpan(o), Context.Length);
        Context.Span.CopyTo(buf.AsSpan(o + 4));
        return buf;
    }

    /// <summary>Decodes an entry payload written by <see cref="Encode"/>.</summary>
    /// <exception cref="FormatException">The payload is not a conf change.</exception>
    public static ConfChange Decode(ReadOnlyMemory<byte> data)
    {
        var s = data.Span;
        if (s.Length < 10 || s[0] != FormatVersion || s[1] > (byte)ConfChangeTransition.JointExplicit)
        {
            throw new FormatException($"not a conf change payload ({s.Length} bytes)");
        }

        var n = BinaryPrimitives.ReadInt32LittleEndian(s[2..]);
        if (n < 0 || 6L + (n * 9L) + 4 > s.Length)
        {
            throw new FormatException($"conf change claims {n} changes in {s.Length} bytes");
        }

        var changes = new ConfChangeSingle[n];
        var o = 6;
        for (var i = 0; i < n; i++, o += 9)
        {
            if (s[o] > (byte)ConfChangeType.RemoveNode)
            {
                throw new FormatException($"conf change has unknown change type {s[o]}");
            }

            changes[i] = new ConfChangeSingle((ConfChangeType)s[o], BinaryPrimitives.ReadUInt64LittleEndian(s[(o + 1)..]));
        }

        var ctxLen = BinaryPrimitives.ReadInt32LittleEndian(s[o..]);
        if (ctxLen < 0 || o + 4 + ctxLen != s.Length)
        {
            throw new FormatException($"conf change context length {ctxLen} does not fit {s.Length} bytes");
        }

        return new ConfChange((ConfChangeTransition)s[1], changes, data.Slice(o + 4, ctxLen));
    }

    /// <inheritdoc />
    public override string ToString() =>
        IsLeaveJoint ? "leave-joint" : $"{Transition}: {string.Join(", ", Changes.Select(c => $"{c.Type} {c.NodeId}"))}";
}
