using System.Buffers.Binary;
using System.Numerics;

namespace MultiRaft.Client;

/// <summary>
/// Keeps a client's write sessions across its restarts (<see cref="MultiRaftClientOptions.SessionFile"/>),
/// so that the first write to each shard after a restart reuses a session instead of opening one
/// (a Raft proposal of its own: a silo restarted with 10,000 shards behind its HTTP API spent more
/// time opening sessions than writing).
/// <para>
/// A reused session must never repeat a sequence number its earlier life sent: the state machine
/// would answer the old write's cached result. So every start bumps an epoch in the file's
/// header, made durable before any session is handed out, and reused sessions continue at
/// <c>epoch &lt;&lt; 40</c>, above every sequence a previous life could have reached. Session
/// records are appended without fsync: one lost in a crash only means a session is opened again.
/// A record or header that fails its checksum ends what is read (a torn tail); a bad header
/// discards every record, since the epoch they continue from is unknown.
/// </para>
/// <para>
/// Two processes sharing sessions would break exactly-once (each would take the other's answers
/// for its own), so the file is held open exclusively while the client lives.
/// </para>
/// </summary>
internal sealed class SessionFile : IDisposable
{
    private const uint Magic = 0x5343_524D; // "MRCS"
    private const uint Version = 1;
    private const int HeaderSize = 20;      // magic, version, epoch, crc
    private const int RecordSize = 20;      // shard, session, crc
    private const int SequenceBits = 40;
    // Far below 2^(64-40): a file that reaches it starts over with no sessions.
    private const ulong MaxEpoch = 1UL << 22;
    // Compaction threshold: dead records allowed beyond the live ones.
    private const int SlackRecords = 4096;

    private readonly FileStream _file;
    // Session ids are log indexes of their shard: the same id on two shards is two sessions.
    private readonly HashSet<(ulong Shard, ulong Session)> _live = [];
    private readonly Lock _lock = new();
    private int _records;

    private SessionFile(FileStream file, ulong epoch)
    {
        _file = file;
        Epoch = epoch;
    }

    /// <summary>This life's epoch: reused sessions continue after <see cref="FirstSequence"/>.</summary>
    public ulong Epoch { get; }

    /// <summary>The last sequence a reused session is taken to have sent: above any its earlier lives sent.</summary>
    public ulong FirstSequence => Epoch << SequenceBits;

    /// <summary>The sessions read at open, as (shard, session id), oldest first.</summary>
    public IReadOnlyList<(ulong Shard, ulong Session)> Loaded { get; private init; } = [];

    /// <summary>Opens (or creates) the file, takes it exclusively and makes a new epoch durable.</summary>
    /// <exception cref="IOException">The file is held by another process, or cannot be read or written.</exception>
    public static SessionFile Open(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        FileStream file;
        try
        {
            file = new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.None);
        }
        catch (IOException e)
        {
            throw new IOException($"the client session file {full} is in use by another process (one client per file): {e.Message}", e);
        }

        try
        {
            var bytes = new byte[file.Length];
            file.ReadExactly(bytes);
            var (epoch, loaded) = Read(bytes);
            var next = epoch is { } e && e + 1 < MaxEpoch ? e + 1 : 1;
            if (next == 1)
            {
                // Unknown or exhausted epoch: nothing read may be continued safely.
                loaded = [];
            }

            var sessions = new SessionFile(file, next) { Loaded = loaded };
            foreach (var (shard, session) in loaded)
            {
                sessions._live.Add((shard, session));
            }

            sessions.Rewrite();
            return sessions;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Records a session just opened (not synced: losing it costs one opening after a crash).</summary>
    public void Add(ulong shard, ulong session)
    {
        lock (_lock)
        {
            _live.Add((shard, session));
            Span<byte> record = stackalloc byte[RecordSize];
            WriteRecord(record, shard, session);
            _file.Write(record);
            _file.Flush(flushToDisk: false);
            if (++_records > (2 * _live.Count) + SlackRecords)
            {
                Rewrite();
            }
        }
    }

    /// <summary>Drops a session the cluster no longer knows (it expired): it is not reused again.</summary>
    public void Forget(ulong shard, ulong session)
    {
        lock (_lock)
        {
            _live.Remove((shard, session));
        }
    }

    public void Dispose() => _file.Dispose();

    // Header with this life's epoch and the live sessions, synced before any of them is used.
    private void Rewrite()
    {
        var buffer = new byte[HeaderSize + (_live.Count * RecordSize)];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(4), Version);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(8), Epoch);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(16), HeaderCrc(Epoch));
        var at = HeaderSize;
        foreach (var (shard, session) in _live)
        {
            WriteRecord(buffer.AsSpan(at), shard, session);
            at += RecordSize;
        }

        _file.Position = 0;
        _file.Write(buffer);
        _file.SetLength(buffer.Length);
        _file.Flush(flushToDisk: true);
        _records = _live.Count;
    }

    private static (ulong? Epoch, List<(ulong, ulong)> Loaded) Read(ReadOnlySpan<byte> bytes)
    {
        var loaded = new List<(ulong, ulong)>();
        if (bytes.Length < HeaderSize
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]) != Version)
        {
            return (null, loaded);
        }

        var epoch = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[16..]) != HeaderCrc(epoch))
        {
            return (null, loaded);
        }

        for (var at = HeaderSize; at + RecordSize <= bytes.Length; at += RecordSize)
        {
            var shard = BinaryPrimitives.ReadUInt64LittleEndian(bytes[at..]);
            var session = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(at + 8)..]);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[(at + 16)..]) != RecordCrc(shard, session) || session == 0)
            {
                break;
            }

            loaded.Add((shard, session));
        }

        return (epoch, loaded);
    }

    private static void WriteRecord(Span<byte> record, ulong shard, ulong session)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(record, shard);
        BinaryPrimitives.WriteUInt64LittleEndian(record[8..], session);
        BinaryPrimitives.WriteUInt32LittleEndian(record[16..], RecordCrc(shard, session));
    }

    private static uint HeaderCrc(ulong epoch) => ~BitOperations.Crc32C(BitOperations.Crc32C(~0u, Magic), epoch);

    private static uint RecordCrc(ulong shard, ulong session) => ~BitOperations.Crc32C(BitOperations.Crc32C(~0u, shard), session);
}
