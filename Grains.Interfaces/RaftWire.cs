using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Raft;

namespace MultiRaft.Grains.Interfaces;

/// <summary>
/// Converts Raft messages to and from their wire form (<see cref="RaftMessage"/>). Encoding
/// refuses what the core never sends over the network (local kinds); decoding refuses anything
/// a correct peer could not have sent, so a corrupt or hostile frame never reaches a replica.
/// </summary>
public static partial class RaftWire
{
    private const MessageFlags KnownFlags = MessageFlags.Quiesce | MessageFlags.Transfer | MessageFlags.Awake;

    /// <summary>Encodes a message. Payloads are wrapped, not copied: the core never changes them.</summary>
    /// <exception cref="ArgumentException">The message is of a local kind or carries an unknown flag or entry type.</exception>
    public static RaftMessage ToWire(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if ((message.Flags & ~KnownFlags) != 0)
        {
            throw new ArgumentException($"Message flags {(byte)message.Flags:x} include unknown bits.", nameof(message));
        }

        var wire = new RaftMessage
        {
            Type = ToWire(message.Type),
            To = message.To,
            From = message.From,
            Term = message.Term,
            LogTerm = message.LogTerm,
            Index = message.Index,
            Commit = message.Commit,
            Reject = message.Reject,
            RejectHint = message.RejectHint,
            Context = message.Context,
            Flags = (uint)message.Flags,
            Snapshot = message.Snapshot is { } s ? ToWire(s) : null,
        };
        foreach (var e in message.Entries)
        {
            wire.Entries.Add(ToWire(e));
        }

        return wire;
    }

    /// <summary>Decodes a message received from a peer.</summary>
    /// <exception cref="FormatException">The wire message is not one a correct peer sends.</exception>
    public static Message FromWire(RaftMessage wire)
    {
        ArgumentNullException.ThrowIfNull(wire);
        var type = FromWire(wire.Type);
        if (wire.Flags > byte.MaxValue || ((MessageFlags)wire.Flags & ~KnownFlags) != 0)
        {
            throw new FormatException($"Raft message flags {wire.Flags:x} include unknown bits.");
        }

        if (type == MessageType.Snapshot && wire.Snapshot is null)
        {
            throw new FormatException("A snapshot message carries no snapshot.");
        }

        var entries = wire.Entries.Count == 0 ? [] : new Entry[wire.Entries.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = FromWire(wire.Entries[i]);
        }

        return new Message
        {
            Type = type,
            To = wire.To,
            From = wire.From,
            Term = wire.Term,
            LogTerm = wire.LogTerm,
            Index = wire.Index,
            Entries = entries,
            Commit = wire.Commit,
            Snapshot = wire.Snapshot is { } s ? FromWire(s) : null,
            Reject = wire.Reject,
            RejectHint = wire.RejectHint,
            Context = wire.Context,
            Flags = (MessageFlags)wire.Flags,
        };
    }

    /// <summary>Encodes one entry, wrapping its payload.</summary>
    public static RaftEntry ToWire(in Entry entry) => new()
    {
        Type = entry.Type switch
        {
            EntryType.Normal => RaftEntryType.Normal,
            EntryType.ConfChange => RaftEntryType.ConfChange,
            _ => throw new ArgumentException($"Unknown entry type {entry.Type}.", nameof(entry)),
        },
        Term = entry.Term,
        Index = entry.Index,
        Data = UnsafeByteOperations.UnsafeWrap(entry.Data),
    };

    /// <summary>Decodes one entry. The payload aliases the parsed message's bytes, which nothing else holds.</summary>
    /// <exception cref="FormatException">The entry type is unknown.</exception>
    public static Entry FromWire(RaftEntry wire)
    {
        ArgumentNullException.ThrowIfNull(wire);
        var type = wire.Type switch
        {
            RaftEntryType.Normal => EntryType.Normal,
            RaftEntryType.ConfChange => EntryType.ConfChange,
            _ => throw new FormatException($"Unknown Raft entry type {(int)wire.Type} at index {wire.Index}."),
        };
        return new Entry(wire.Term, wire.Index, type, wire.Data.Memory);
    }
}
