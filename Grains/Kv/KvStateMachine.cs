namespace MultiRaft.Grains.Kv;

/// <summary>
/// The replica grain's state machine: an ordered map key → (value, version) with client sessions
/// for exactly-once writes. Pure and deterministic: its state is a function of the applied log
/// entries (and the session options, which must match on every replica). Not thread-safe: the
/// replica's single engine turn owns it.
/// </summary>
/// <remarks>
/// A version is the log index of the entry that wrote it. Entries are applied once each, in
/// strictly increasing index order, so every write gets a version no other write has (unique, even
/// across keys and across delete and re-create), and each write of a key gets a larger version than
/// the one before it (increasing). That also rules out ABA for compare-and-set.
/// </remarks>
public sealed partial class KvStateMachine
{
    private readonly KvSessionOptions sessionOptions;

    // Created on first use (Keys, Slots): a silo hosts thousands of replicas and many hold no
    // key, where an empty set and map would still cost their objects.
    private SortedSet<byte[]>? keys;
    private Dictionary<byte[], Slot>? slots;

    // The keys' and values' total length, so that a snapshot's buffer is sized once.
    private long itemBytes;
    private SessionTable sessions;

    /// <summary>Creates an empty state machine.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The options are out of range.</exception>
    public KvStateMachine(KvSessionOptions? sessionOptions = null)
    {
        this.sessionOptions = sessionOptions ?? KvSessionOptions.Default;
        this.sessionOptions.Validate();
        sessions = new SessionTable(this.sessionOptions);
    }

    /// <summary>The index of the last entry applied (or skipped); 0 initially.</summary>
    public ulong LastAppliedIndex { get; private set; }

    /// <summary>Number of keys.</summary>
    public int Count => slots?.Count ?? 0;

    /// <summary>The keys' and values' total length in bytes.</summary>
    public long ItemBytes => itemBytes;

    /// <summary>Number of live client sessions.</summary>
    public int SessionCount => sessions.Count;

    /// <summary>The newest leader timestamp applied (the session table's clock).</summary>
    public long NowMs => sessions.NowMs;

    private SortedSet<byte[]> Keys => keys ??= new(ByteKeyComparer.Instance);

    private Dictionary<byte[], Slot> Slots => slots ??= new(ByteKeyComparer.Instance);

    /// <summary>Decodes and applies the command payload of the entry at <paramref name="index"/>.</summary>
    /// <remarks>
    /// Size limits are not checked here: they were checked when the command was proposed, and a
    /// replica must never refuse an entry its peers applied. A malformed payload throws before any
    /// state changes; every replica throws alike, and the replica should stop.
    /// </remarks>
    /// <exception cref="FormatException">The payload is not a command.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="index"/> is not after <see cref="LastAppliedIndex"/>.</exception>
    public KvResult Apply(ulong index, ReadOnlySpan<byte> payload) =>
        Apply(index, CommandCodec.DecodeCommand(payload, KvLimits.Unbounded));

    /// <summary>Applies <paramref name="command"/> as the entry at <paramref name="index"/>.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="index"/> is not after <see cref="LastAppliedIndex"/>.</exception>
    public KvResult Apply(ulong index, KvCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        CheckIndex(index);
        sessions.Advance(command.TimestampMs);
        LastSplit = null;
        var result = ApplyOnce(index, command);
        LastAppliedIndex = index;
        return result;
    }

    /// <summary>Records that the entry at <paramref name="index"/> carried no command (an empty or configuration entry).</summary>
    /// <exception cref="InvalidOperationException"><paramref name="index"/> is not after <see cref="LastAppliedIndex"/>.</exception>
    public void Skip(ulong index)
    {
        CheckIndex(index);
        LastSplit = null;
        LastAppliedIndex = index;
    }

    /// <summary>The value and version at <paramref name="key"/>, or null.</summary>
    public KvItem? Get(ReadOnlySpan<byte> key)
    {
        var k = key.ToArray();
        return slots is not null && slots.TryGetValue(k, out var slot) ? new KvItem(k, slot.Value, slot.Version) : null;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> items whose keys start with <paramref name="prefix"/> and sort
    /// after <paramref name="startAfter"/> (empty: from the first), in ordinal key order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is negative.</exception>
    public IReadOnlyList<KvItem> Scan(ReadOnlySpan<byte> prefix, int limit, ReadOnlySpan<byte> startAfter = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var items = new List<KvItem>(Math.Min(limit, 256));
        if (limit == 0 || keys is null)
        {
            return items;
        }

        var lower = startAfter.SequenceCompareTo(prefix) > 0 ? startAfter.ToArray() : prefix.ToArray();
        var upper = ByteKeyComparer.PrefixEnd(prefix);
        if (ByteKeyComparer.Instance.Compare(lower, upper) > 0)
        {
            return items;
        }

        // The view's upper bound is inclusive: PrefixEnd itself is not under the prefix, hence the check.
        foreach (var key in keys.GetViewBetween(lower, upper))
        {
            if (!key.AsSpan().StartsWith(prefix))
            {
                break;
            }

            if (startAfter.Length > 0 && key.AsSpan().SequenceCompareTo(startAfter) <= 0)
            {
                continue;
            }

            var slot = Slots[key];
            items.Add(new KvItem(key, slot.Value, slot.Version));
            if (items.Count == limit)
            {
                break;
            }
        }

        return items;
    }

    private void CheckIndex(ulong index)
    {
        if (index <= LastAppliedIndex)
        {
            throw new InvalidOperationException($"entry {index} applied after entry {LastAppliedIndex}: entries apply once, in index order");
        }
    }

    private KvResult ApplyOnce(ulong index, KvCommand command)
    {
        if (command.Kind == KvCommandKind.Split)
        {
            return ApplySplit(index, command);
        }

        if (command.Kind == KvCommandKind.OpenSession)
        {
            // Client ids are log indexes, so an id is never handed out twice, even after expiry:
            // an unknown id is always a session that expired, never a new one.
            sessions.Open(index);
            return KvResult.Ok(index);
        }

        // A key a split moved away is refused before its session is looked at: the write is not
        // applied here, and its retry on the new shard must find the session as it was.
        if (!Owns(command.KeyBytes))
        {
            return KvResult.WrongShard;
        }

        if (command.ClientId == 0)
        {
            return Execute(index, command);
        }

        if (sessions.Touch(command.ClientId) is not { } session)
        {
            // A client-named session opens with its first write. A retry of that write finds it
            // open (and its answer); once dropped it cannot open again (SessionTable's rules).
            if (command.Sequence != 1 || !sessions.MayOpenClientNamed(command.ClientId))
            {
                return KvResult.SessionExpired;
            }

            session = sessions.Open(command.ClientId);
        }

        if (command.Sequence < session.LastSequence)
        {
            return KvResult.StaleRequest;
        }

        if (command.Sequence == session.LastSequence)
        {
            return session.LastResult;
        }

        var result = Execute(index, command);
        session.LastSequence = command.Sequence;
        session.LastResult = result;
        return result;
    }

    private KvResult Execute(ulong version, KvCommand command)
    {
        var key = command.KeyBytes;
        var exists = Slots.TryGetValue(key, out var current);
        var currentVersion = exists ? current.Version : 0;
        var replaced = exists ? current.Value : null;
        switch (command.Kind)
        {
            case KvCommandKind.Put:
                return Write(key, command.ValueBytes, version, replaced);
            case KvCommandKind.CompareAndSet:
                return currentVersion == command.ExpectedVersion
                    ? Write(key, command.ValueBytes, version, replaced)
                    : KvResult.PreconditionFailed(currentVersion);
            case KvCommandKind.Create:
                return exists ? KvResult.PreconditionFailed(currentVersion) : Write(key, command.ValueBytes, version, replaced);
            case KvCommandKind.Delete:
                return exists ? Remove(key, currentVersion) : KvResult.NotFound;
            case KvCommandKind.CompareAndDelete:
                // ExpectedVersion is never 0 here, so an absent key (version 0) fails the precondition, as If-Match does.
                return currentVersion == command.ExpectedVersion ? Remove(key, currentVersion) : KvResult.PreconditionFailed(currentVersion);
            default:
                throw new InvalidOperationException($"unexpected command kind {command.Kind}");
        }
    }

    // replaced: the key's current value, null if the key is absent.
    private KvResult Write(byte[] key, byte[] value, ulong version, byte[]? replaced)
    {
        // Commands are immutable and own their arrays, so the map can keep them without copying.
        if (replaced is null)
        {
            Keys.Add(key);
            itemBytes += key.Length;
        }
        else
        {
            itemBytes -= replaced.Length;
        }

        itemBytes += value.Length;
        Slots[key] = new Slot(value, version);
        return KvResult.Ok(version);
    }

    private KvResult Remove(byte[] key, ulong version)
    {
        Keys.Remove(key);
        if (Slots.Remove(key, out var old))
        {
            itemBytes -= key.Length + old.Value.Length;
        }

        return KvResult.Ok(version);
    }

    private readonly record struct Slot(byte[] Value, ulong Version);
}
