using MultiRaft.Client;

namespace MultiRaft.Http;

/// <summary>
/// A shortcut a host may offer for writes to shards whose leader it hosts: the write is proposed
/// there once, without the client's routing, session and retry layers. Anything the shortcut
/// cannot settle (no local leader, or the write certainly did not apply) goes through the client.
/// </summary>
public interface ILocalWrites
{
    /// <summary>
    /// Puts (<paramref name="value"/> not null) or deletes <paramref name="key"/> on the local
    /// leader. Null when the caller must send the write through the client instead (always for
    /// writes with an idempotency key, which need the client's sessions); otherwise the
    /// final answer. Throws what the client throws for the same outcome
    /// (<see cref="PreconditionFailedException"/>, <see cref="OutcomeUnknownException"/>,
    /// <see cref="UnavailableException"/>). The wait is bounded by the host's request timeout;
    /// <paramref name="cancellationToken"/> need not end it, since a proposed write may apply
    /// whether or not its requester is still there.
    /// </summary>
    ValueTask<LocalWriteAnswer?> TryWriteAsync(byte[] key, byte[]? value, WriteOptions options, CancellationToken cancellationToken);
}

/// <summary>A write's final answer: whether the key existed (deletes) and the version written.</summary>
public readonly record struct LocalWriteAnswer(bool Found, ulong Version);
