using MultiRaft.Grains.Kv;

namespace MultiRaft.Grains.Tests;

/// <summary>
/// A seeded random log as a leader would produce it: sessions opened, clients writing with
/// retries and out-of-order duplicates, writers without sessions, a clock that sometimes steps back.
/// Client ids are log indexes, so the log is generated together with the indexes it will land at.
/// </summary>
internal static class RandomLog
{
    public static List<byte[]> Generate(int seed, int count)
    {
        var rng = new Random(seed);
        var log = new List<byte[]>(count);
        var clients = new List<(ulong Id, ulong Seq)>();
        var clock = 0L;
        while (log.Count < count)
        {
            clock += rng.Next(3) == 0 ? -rng.Next(50) : rng.Next(40);
            var index = (ulong)log.Count + 1;
            KvCommand cmd;
            if (clients.Count == 0 || rng.Next(20) == 0)
            {
                cmd = KvCommand.OpenSession();
                clients.Add((index, 0));
            }
            else
            {
                var ci = rng.Next(clients.Count);
                var (id, seq) = clients[ci];
                ulong s;
                switch (rng.Next(10))
                {
                    case 0 when seq > 0:
                        s = seq; // retry of the last
                        break;
                    case 1 when seq > 1:
                        s = (ulong)rng.NextInt64(1, (long)seq); // late duplicate
                        break;
                    case 2:
                        id = 0; // no session
                        s = 0;
                        break;
                    default:
                        s = seq + 1 + (ulong)rng.Next(2);
                        clients[ci] = (id, s);
                        break;
                }

                cmd = RandomCommand(rng, id, s);
            }

            log.Add(CommandCodec.Encode(cmd.WithTimestamp(clock)));
        }

        return log;
    }

    public static KvCommand RandomCommand(Random rng, ulong client, ulong seq)
    {
        var key = new[] { (byte)rng.Next(4), (byte)(0x7E + rng.Next(4)) }.AsSpan(0, 1 + rng.Next(2));
        var value = new byte[rng.Next(4)];
        rng.NextBytes(value);
        var version = (ulong)rng.Next(0, 60);
        var limits = KvLimits.Default;
        return rng.Next(5) switch
        {
            0 => KvCommand.Put(client, seq, key, value, limits),
            1 => KvCommand.Delete(client, seq, key, limits),
            2 => KvCommand.CompareAndSet(client, seq, key, value, version, limits),
            3 => KvCommand.Create(client, seq, key, value, limits),
            _ => KvCommand.CompareAndDelete(client, seq, key, version + 1, limits),
        };
    }
}
