using System.Security.Cryptography;

namespace MultiRaft.Grains.Interfaces;

/// <summary>
/// The two kinds of exactly-once session id. A session opened by its own proposal is named by the
/// log index that opened it (below 2^63). A session a client names itself has the top bit set,
/// the client's clock in Unix seconds in the next 32 bits and 31 random bits, and is opened by the
/// first write that carries it with sequence 1: one proposal instead of two for a shard's first
/// write. Part of the wire and snapshot contract.
/// </summary>
/// <remarks>
/// The clock lets a shard refuse to open an id a second time: the shard keeps the newest clock of
/// the client-named sessions it has dropped (expired or evicted) and opens only ids named after
/// it, so a late retry of a first write whose session is gone is refused rather than applied
/// again. Two clients that draw the same id for the same shard in the same second would share a
/// session (odds 2^-31 per pair); a client whose ids are refused opens sessions by proposal.
/// </remarks>
public static class SessionIds
{
    private const ulong ClientNamedBit = 1UL << 63;
    private const int RandomBits = 31;
    private const ulong SecondsMask = (1UL << 32) - 1;

    /// <summary>Whether <paramref name="sessionId"/> was named by a client (not a log index).</summary>
    public static bool IsClientNamed(ulong sessionId) => (sessionId & ClientNamedBit) != 0;

    /// <summary>The Unix second a client-named id was drawn at by its client's clock.</summary>
    public static long SecondOf(ulong sessionId) => (long)((sessionId >> RandomBits) & SecondsMask);

    /// <summary>A new client-named id drawn at <paramref name="now"/>.</summary>
    public static ulong NewClientNamed(DateTimeOffset now) =>
        ClientNamed(now.ToUnixTimeSeconds(), (uint)RandomNumberGenerator.GetInt32(int.MaxValue));

    /// <summary>The client-named id of <paramref name="unixSecond"/> (clamped to 32 bits) and the low 31 bits of <paramref name="random"/>.</summary>
    public static ulong ClientNamed(long unixSecond, uint random) =>
        ClientNamedBit | ((ulong)Math.Clamp(unixSecond, 0, (long)SecondsMask) << RandomBits) | (random & ((1UL << RandomBits) - 1));
}
