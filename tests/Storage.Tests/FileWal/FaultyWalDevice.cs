using MultiRaft.Storage.FileWal;

namespace MultiRaft.Storage.Tests.FileWal;

/// <summary>
/// An in-memory <see cref="IWalDevice"/> that remembers what a real disk would keep after a
/// power cut: a file's data as of its last successful sync, and the directory's entries as of
/// its last sync. Tests crash it (keeping only that, optionally with the last unsynced write
/// torn at any byte), flip bits, fail syncs the way Linux does (the dirty data is dropped, so a
/// later sync cannot bring it back), or kill it after a given number of operations.
/// </summary>
public sealed class FaultyWalDevice : IWalDevice
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Node> _names;
    private Dictionary<string, Node> _durableNames;
    private (Node Node, Write Write)? _lastWrite;
    private int _failSyncs;
    private bool _locked;

    public FaultyWalDevice()
        : this(new Dictionary<string, Node>(StringComparer.Ordinal))
    {
    }

    private FaultyWalDevice(Dictionary<string, Node> names)
    {
        _names = names;
        _durableNames = new Dictionary<string, Node>(names, StringComparer.Ordinal);
    }

    public string Location => "/faulty";

    /// <summary>Mutating operations so far (writes, syncs, creations, renames, deletions, directory syncs).</summary>
    public int Operations { get; private set; }

    /// <summary>When set, every mutating operation after this many throws, as a dead disk would.</summary>
    public int? DieAfter { get; set; }

    /// <summary>Writes and syncs of segment files (names starting with "wal-").</summary>
    public int SegmentWrites { get; private set; }

    public int SegmentSyncs { get; private set; }

    /// <summary>Called inside every file sync, before it takes effect (tests hold the writer here).</summary>
    public Action<string>? BeforeSync { get; set; }

    /// <summary>Makes the next <paramref name="count"/> file syncs fail and drop the file's unsynced data.</summary>
    public void FailNextSyncs(int count = 1)
    {
        lock (_gate)
        {
            _failSyncs = count;
        }
    }

    /// <summary>
    /// A power cut: a new device holding only what was durable. With <paramref name="tearLastWriteAt"/>,
    /// the first that many bytes of the last write (if it was never synced) reached the disk too.
    /// This device dies, so whatever still runs on it cannot touch the new one.
    /// </summary>
    public FaultyWalDevice PowerCut(int? tearLastWriteAt = null)
    {
        lock (_gate)
        {
            DieAfter = 0;
            var names = new Dictionary<string, Node>(StringComparer.Ordinal);
            var copies = new Dictionary<Node, Node>();
            foreach (var (name, node) in _durableNames)
            {
                if (!copies.TryGetValue(node, out var copy))
                {
                    var bytes = node.Durable.ToList();
                    if (tearLastWriteAt is { } keep && _lastWrite is { } last && last.Node == node && node.Unsynced.Contains(last.Write))
                    {
                        Apply(bytes, last.Write with { Data = last.Write.Data[..Math.Min(keep, last.Write.Data.Length)] });
                    }

                    copy = new Node(bytes);
                    copies.Add(node, copy);
                }

                names.Add(name, copy);
            }

            return new FaultyWalDevice(names);
        }
    }

    /// <summary>
    /// A process crash: the OS survives, so everything written reaches the disk. This device
    /// lives on (a test may keep using it and take more images).
    /// </summary>
    public FaultyWalDevice ProcessCrash()
    {
        lock (_gate)
        {
            var names = new Dictionary<string, Node>(StringComparer.Ordinal);
            var copies = new Dictionary<Node, Node>();
            foreach (var (name, node) in _names)
            {
                if (!copies.TryGetValue(node, out var copy))
                {
                    copy = new Node(node.Current.ToList());
                    copies.Add(node, copy);
                }

                names.Add(name, copy);
            }

            return new FaultyWalDevice(names);
        }
    }

    /// <summary>Flips one bit of a file, on disk and in memory.</summary>
    public void FlipBit(string name, long offset, int bit = 0)
    {
        lock (_gate)
        {
            var node = _names[name];
            node.Current[(int)offset] ^= (byte)(1 << bit);
            node.Durable[(int)offset] ^= (byte)(1 << bit);
        }
    }

    /// <summary>A copy of a file's current bytes.</summary>
    public byte[] Contents(string name)
    {
        lock (_gate)
        {
            return _names[name].Current.ToArray();
        }
    }

    /// <summary>Replaces a file's bytes, durably (to stage stale or damaged content).</summary>
    public void Overwrite(string name, byte[] bytes)
    {
        lock (_gate)
        {
            if (!_names.TryGetValue(name, out var node))
            {
                node = new Node([]);
                _names[name] = node;
            }

            node.Current.Clear();
            node.Current.AddRange(bytes);
            node.Durable.Clear();
            node.Durable.AddRange(bytes);
            _durableNames = new Dictionary<string, Node>(_names, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// The directory lock as the disk's flock behaves: one holder at a time. The images a crash
    /// leaves (<see cref="PowerCut"/>, <see cref="ProcessCrash"/>) start unlocked, as the kernel
    /// drops a dead process's locks.
    /// </summary>
    public IDisposable Lock()
    {
        lock (_gate)
        {
            if (_locked)
            {
                throw new StorageLockedException(Location, Location + "/LOCK", null);
            }

            _locked = true;
            return new Unlock(this);
        }
    }

    public IReadOnlyList<string> List()
    {
        lock (_gate)
        {
            return _names.Keys.Order(StringComparer.Ordinal).ToArray();
        }
    }

    public IWalFile Open(string name)
    {
        lock (_gate)
        {
            return _names.TryGetValue(name, out var node)
                ? new File(this, name, node)
                : throw new FileNotFoundException($"no file {name}", name);
        }
    }

    public IWalFile Create(string name, long preallocate)
    {
        lock (_gate)
        {
            Mutate();
            var node = new Node([]);
            _names[name] = node;
            return new File(this, name, node);
        }
    }

    public void Delete(string name)
    {
        lock (_gate)
        {
            Mutate();
            _names.Remove(name);
        }
    }

    public void Rename(string from, string to)
    {
        lock (_gate)
        {
            Mutate();
            var node = _names[from];
            _names.Remove(from);
            _names[to] = node;
        }
    }

    public void SyncDirectory()
    {
        lock (_gate)
        {
            Mutate();
            _durableNames = new Dictionary<string, Node>(_names, StringComparer.Ordinal);
        }
    }

    private void Mutate()
    {
        if (DieAfter is { } limit && Operations >= limit)
        {
            throw new IOException("injected: the device is dead");
        }

        Operations++;
    }

    private static void Apply(List<byte> bytes, Write write)
    {
        if (write.SetLength is { } length)
        {
            Resize(bytes, length);
            return;
        }

        var end = write.Offset + write.Data.Length;
        if (bytes.Count < end)
        {
            Resize(bytes, end);
        }

        for (var i = 0; i < write.Data.Length; i++)
        {
            bytes[(int)write.Offset + i] = write.Data[i];
        }
    }

    private static void Resize(List<byte> bytes, long length)
    {
        if (bytes.Count > length)
        {
            bytes.RemoveRange((int)length, bytes.Count - (int)length);
        }
        else
        {
            bytes.AddRange(new byte[length - bytes.Count]);
        }
    }

    private sealed class Unlock(FaultyWalDevice device) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            lock (device._gate)
            {
                if (!_done)
                {
                    _done = true;
                    device._locked = false;
                }
            }
        }
    }

    private sealed record Write(long Offset, byte[] Data, long? SetLength = null);

    private sealed class Node(List<byte> bytes)
    {
        public List<byte> Current { get; } = bytes;

        public List<byte> Durable { get; } = [.. bytes];

        public List<Write> Unsynced { get; } = [];
    }

    private sealed class File(FaultyWalDevice device, string name, Node node) : IWalFile
    {
        public long Length
        {
            get
            {
                lock (device._gate)
                {
                    return node.Current.Count;
                }
            }
        }

        public int Read(long offset, Span<byte> into)
        {
            lock (device._gate)
            {
                var n = (int)Math.Max(0, Math.Min(into.Length, node.Current.Count - offset));
                for (var i = 0; i < n; i++)
                {
                    into[i] = node.Current[(int)offset + i];
                }

                return n;
            }
        }

        public void Write(long offset, ReadOnlySpan<byte> data) => Change(new Write(offset, data.ToArray()));

        public void SetLength(long length) => Change(new Write(0, [], length));

        public void Sync()
        {
            device.BeforeSync?.Invoke(name);
            lock (device._gate)
            {
                device.Mutate();
                if (name.StartsWith("wal-", StringComparison.Ordinal))
                {
                    device.SegmentSyncs++;
                }

                if (device._failSyncs > 0)
                {
                    device._failSyncs--;
                    node.Unsynced.Clear(); // the kernel dropped the dirty pages: a later sync will not write them
                    throw new IOException("injected: fsync failed (EIO)");
                }

                foreach (var w in node.Unsynced)
                {
                    Apply(node.Durable, w);
                }

                node.Unsynced.Clear();
            }
        }

        public void Dispose()
        {
        }

        private void Change(Write write)
        {
            lock (device._gate)
            {
                device.Mutate();
                if (name.StartsWith("wal-", StringComparison.Ordinal) && write.SetLength is null)
                {
                    device.SegmentWrites++;
                }

                Apply(node.Current, write);
                node.Unsynced.Add(write);
                device._lastWrite = (node, write);
            }
        }
    }
}
