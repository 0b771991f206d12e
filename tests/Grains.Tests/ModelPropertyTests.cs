using System.Buffers;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Kv;

namespace MultiRaft.Grains.Tests;

/// <summary>Random seeded runs: the state machine and the naive model agree on every result and read.</summary>
public sealed class ModelPropertyTests
{
    private static readonly byte[][] KeyAlphabet = [[0x00], [0x01], [0x7F], [0x80], [0xFF], [0xC3, 0x28], [0x61]];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Machine_and_model_agree(int seed)
    {
        var options = new KvSessionOptions(SessionTtlMs: 400, MaxSessions: 6);
        var rng = new Random(seed);
        var machine = new KvStateMachine(options);
        var model = new NaiveKvModel(options);
        var clients = new List<(ulong Id, ulong Seq)>();
        var clock = 0L;
        var sessionResults = 0;
        var (namedFirstApplied, namedFirstRefused) = (0, 0);
        for (ulong index = 1; index <= 4000; index++)
        {
            clock += rng.Next(4) == 0 ? -rng.Next(100) : rng.Next(30);
            var cmd = NextCommand(rng, index, clients, model).WithTimestamp(clock);
            var expected = model.Apply(index, cmd);
            var actual = machine.Apply(index, CommandCodec.Encode(cmd));
            Assert.True(expected == actual, $"seed {seed} index {index} {cmd}: model {expected}, machine {actual}");
            sessionResults += actual.Status is KvStatus.StaleRequest or KvStatus.SessionExpired ? 1 : 0;
            if (SessionIds.IsClientNamed(cmd.ClientId) && cmd.Sequence == 1)
            {
                namedFirstRefused += actual.Status == KvStatus.SessionExpired ? 1 : 0;
                namedFirstApplied += actual.Status == KvStatus.SessionExpired ? 0 : 1;
            }

            if (rng.Next(10) == 0)
            {
                var prefix = rng.Next(3) == 0 ? [] : Key(rng);
                var after = rng.Next(2) == 0 ? [] : Key(rng);
                var limit = rng.Next(0, 6);
                Assert.Equal(model.Scan(prefix, limit, after), Flatten(machine.Scan(prefix, limit, after)));
                var k = Key(rng);
                Assert.Equal(model.VersionOf(k), machine.Get(k)?.Version);
            }

            if (rng.Next(500) == 0)
            {
                // Restoring a snapshot mid-run must not change anything the model can observe.
                var w = new ArrayBufferWriter<byte>();
                machine.WriteSnapshot(w);
                machine = new KvStateMachine(options);
                machine.RestoreSnapshot(w.WrittenSpan);
            }

            Assert.Equal(model.SessionCount, machine.SessionCount);
        }

        Assert.Equal(model.Scan([], int.MaxValue, []), Flatten(machine.Scan([], int.MaxValue)));
        Assert.True(sessionResults > 50, $"only {sessionResults} stale or expired results: the run does not exercise sessions");
        Assert.True(namedFirstApplied > 20 && namedFirstRefused > 5,
            $"client-named first writes: {namedFirstApplied} answered, {namedFirstRefused} refused: the run does not exercise them");
    }

    private static KvCommand NextCommand(Random rng, ulong index, List<(ulong Id, ulong Seq)> clients, NaiveKvModel model)
    {
        if (clients.Count == 0 || rng.Next(15) == 0)
        {
            clients.Add((index, 0));
            return KvCommand.OpenSession();
        }

        if (rng.Next(15) == 0)
        {
            // A client-named session, opened by its first write below: drawn at seconds that grow
            // with the run (older ones fall under the floor as sessions drop), one in ten too far ahead.
            var second = (index / 100) + (ulong)rng.Next(3) + (rng.Next(10) == 0 ? 400UL : 0);
            clients.Add((SessionIds.ClientNamed((long)second, (uint)rng.Next()), 0));
        }

        var ci = rng.Next(clients.Count);
        var (id, seq) = clients[ci];
        ulong s;
        switch (rng.Next(12))
        {
            case 0:
                (id, s) = (0, 0);
                break;
            case 1 or 2 when seq > 0:
                s = seq;
                break;
            case 3 when seq > 1:
                s = (ulong)rng.NextInt64(1, (long)seq);
                break;
            default:
                s = seq + 1;
                clients[ci] = (id, s);
                break;
        }

        var key = Key(rng);
        var value = new byte[rng.Next(3)];
        rng.NextBytes(value);
        var current = model.VersionOf(key) ?? 0;
        ulong guess = rng.Next(3) switch
        {
            0 => (ulong)current,
            1 => 0,
            _ => (ulong)rng.NextInt64(1, (long)index + 1),
        };
        return rng.Next(5) switch
        {
            0 => KvCommand.Put(id, s, key, value, KvLimits.Default),
            1 => KvCommand.Delete(id, s, key, KvLimits.Default),
            2 => KvCommand.CompareAndSet(id, s, key, value, guess, KvLimits.Default),
            3 => KvCommand.Create(id, s, key, value, KvLimits.Default),
            _ => KvCommand.CompareAndDelete(id, s, key, guess == 0 ? 1 : guess, KvLimits.Default),
        };
    }

    private static byte[] Key(Random rng) =>
        [.. KeyAlphabet[rng.Next(KeyAlphabet.Length)], .. rng.Next(2) == 0 ? KeyAlphabet[rng.Next(KeyAlphabet.Length)] : []];

    private static List<(string Key, string Value, ulong Version)> Flatten(IReadOnlyList<KvItem> items) =>
        items.Select(i => (Convert.ToHexString(i.Key.Span), Convert.ToHexString(i.Value.Span), i.Version)).ToList();
}
