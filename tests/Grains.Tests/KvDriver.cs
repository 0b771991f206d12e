using MultiRaft.Grains.Kv;

namespace MultiRaft.Grains.Tests;

/// <summary>Feeds a state machine like a replica would: consecutive log indexes, commands as encoded entry payloads.</summary>
internal sealed class KvDriver(KvStateMachine machine)
{
    public static readonly KvLimits Limits = new(MaxKeyBytes: 64, MaxValueBytes: 256);

    public KvDriver(KvSessionOptions? options = null)
        : this(new KvStateMachine(options))
    {
    }

    public KvStateMachine Machine { get; } = machine;

    public ulong NextIndex => Machine.LastAppliedIndex + 1;

    /// <summary>The leader's logical clock, stamped on every command.</summary>
    public long Clock { get; set; }

    public KvResult Apply(KvCommand command) =>
        Machine.Apply(NextIndex, CommandCodec.Encode(command.WithTimestamp(Clock)));

    public ulong OpenSession()
    {
        var r = Apply(KvCommand.OpenSession());
        Assert.Equal(KvStatus.Ok, r.Status);
        return r.Version;
    }

    public KvResult Put(string key, string value, ulong client = 0, ulong seq = 0) =>
        Apply(KvCommand.Put(client, seq, B(key), B(value), Limits));

    public KvResult Delete(string key, ulong client = 0, ulong seq = 0) =>
        Apply(KvCommand.Delete(client, seq, B(key), Limits));

    public KvResult Cas(string key, string value, ulong expected, ulong client = 0, ulong seq = 0) =>
        Apply(KvCommand.CompareAndSet(client, seq, B(key), B(value), expected, Limits));

    public KvResult Create(string key, string value, ulong client = 0, ulong seq = 0) =>
        Apply(KvCommand.Create(client, seq, B(key), B(value), Limits));

    public KvResult Cad(string key, ulong expected, ulong client = 0, ulong seq = 0) =>
        Apply(KvCommand.CompareAndDelete(client, seq, B(key), expected, Limits));

    public (string Value, ulong Version)? Get(string key) =>
        Machine.Get(B(key)) is { } item ? (S(item.Value), item.Version) : null;

    public static byte[] B(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    public static string S(ReadOnlyMemory<byte> b) => System.Text.Encoding.UTF8.GetString(b.Span);
}
