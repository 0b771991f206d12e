using System.Security.Cryptography;
using Google.Protobuf;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Router;

/// <summary>
/// Snapshots: a <see cref="RouterSnapshot"/> message (state + applied index). Protobuf writes the
/// fields of a message without maps in field-number order, and every list in the state is kept
/// sorted, so equal states give equal bytes.
/// </summary>
public sealed partial class RouterStateMachine
{
    /// <summary>The state and the last applied index, restorable with <see cref="RestoreSnapshot"/>.</summary>
    public byte[] WriteSnapshot() => EncodeSnapshot(_state, LastAppliedIndex);

    /// <summary>SHA-256 of <see cref="WriteSnapshot"/>: equal on two replicas exactly when their states and indexes are.</summary>
    public byte[] Digest() => SHA256.HashData(WriteSnapshot());

    /// <summary>
    /// The snapshot bytes of a given state at a given index, e.g. the bootstrap snapshot data built
    /// from <see cref="Bootstrap"/>.
    /// </summary>
    public static byte[] EncodeSnapshot(RouterState state, ulong appliedIndex)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new RouterSnapshot { AppliedIndex = appliedIndex, State = state }.ToByteArray();
    }

    /// <summary>
    /// Replaces the state with a snapshot; an empty span gives the empty state at index 0. The
    /// snapshot is checked completely first: on error nothing changes.
    /// </summary>
    /// <exception cref="FormatException">Not a router snapshot, or its lists are not in canonical order.</exception>
    public void RestoreSnapshot(ReadOnlySpan<byte> data)
    {
        RouterSnapshot snapshot;
        try
        {
            snapshot = RouterSnapshot.Parser.ParseFrom(data);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FormatException("router snapshot: " + e.Message, e);
        }

        var state = snapshot.State ?? new RouterState();
        Validate(state);
        SiloIdStrings.Intern(state.Shards, state.Leaders);
        _state = state;
        LastAppliedIndex = snapshot.AppliedIndex;
        RebuildIndexes();
        CopyWholeNextTime(snapshot.AppliedIndex);
    }

    private static void Validate(RouterState state)
    {
        for (var i = 1; i < state.Silos.Count; i++)
        {
            if (string.CompareOrdinal(state.Silos[i - 1].SiloId, state.Silos[i].SiloId) >= 0)
            {
                throw new FormatException("router snapshot: silos not sorted by id or duplicated");
            }
        }

        var ids = new HashSet<ulong>();
        ulong previousEnd = 0;
        for (var i = 0; i < state.Shards.Count; i++)
        {
            var shard = state.Shards[i];
            if (!ids.Add(shard.ShardId))
            {
                throw new FormatException($"router snapshot: shard {shard.ShardId} appears twice");
            }

            if (shard.ShardId == MetaShardId)
            {
                if (i != 0)
                {
                    throw new FormatException("router snapshot: the meta shard is not first");
                }

                continue;
            }

            if (shard.HashStart < previousEnd || shard.HashStart >= shard.HashEnd || shard.HashEnd > KeyHash.SpaceEnd)
            {
                throw new FormatException($"router snapshot: shard {shard.ShardId} range [{shard.HashStart}, {shard.HashEnd}) is out of order or invalid");
            }

            previousEnd = shard.HashEnd;
        }

        for (var i = 1; i < state.Leaders.Count; i++)
        {
            if (state.Leaders[i - 1].ShardId >= state.Leaders[i].ShardId)
            {
                throw new FormatException("router snapshot: leaders not sorted by shard id or duplicated");
            }
        }
    }
}
