using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Raft;

namespace MultiRaft.Grains.Interfaces;

// Snapshots and memberships. A decoded membership is checked against the invariants the core
// relies on, because ConfState's constructor silently drops duplicates and would hide corruption.
public static partial class RaftWire
{
    /// <summary>Encodes a snapshot, wrapping its image.</summary>
    public static RaftSnapshot ToWire(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new RaftSnapshot
        {
            Metadata = new RaftSnapshotMetadata
            {
                ConfState = ToWire(snapshot.ConfState),
                Index = snapshot.Index,
                Term = snapshot.Term,
            },
            Data = UnsafeByteOperations.UnsafeWrap(snapshot.Data),
        };
    }

    /// <summary>Decodes a snapshot.</summary>
    /// <exception cref="FormatException">Metadata is missing or the membership is invalid.</exception>
    public static Snapshot FromWire(RaftSnapshot wire)
    {
        ArgumentNullException.ThrowIfNull(wire);
        var meta = wire.Metadata ?? throw new FormatException("A snapshot carries no metadata.");
        var conf = meta.ConfState ?? throw new FormatException($"Snapshot {meta.Term}/{meta.Index} carries no membership.");
        var confState = FromWire(conf);
        if (meta.Index != 0 && confState.Voters.Count == 0)
        {
            throw new FormatException($"Snapshot {meta.Term}/{meta.Index} has a membership without voters.");
        }

        return new Snapshot(meta.Index, meta.Term, confState, wire.Data.Memory);
    }

    /// <summary>Encodes a membership.</summary>
    public static RaftConfState ToWire(ConfState confState)
    {
        ArgumentNullException.ThrowIfNull(confState);
        var wire = new RaftConfState { AutoLeave = confState.AutoLeave };
        wire.Voters.AddRange(confState.Voters);
        wire.VotersOutgoing.AddRange(confState.VotersOutgoing);
        wire.Learners.AddRange(confState.Learners);
        wire.LearnersNext.AddRange(confState.LearnersNext);
        return wire;
    }

    /// <summary>Decodes a membership, checking it.</summary>
    /// <exception cref="FormatException">
    /// An id is zero or repeated within a set; a learner is also a voter; a next learner is not an
    /// outgoing voter or is an incoming voter; auto-leave is set outside a joint configuration.
    /// </exception>
    public static ConfState FromWire(RaftConfState wire)
    {
        ArgumentNullException.ThrowIfNull(wire);
        CheckIds(wire.Voters, "voters");
        CheckIds(wire.VotersOutgoing, "outgoing voters");
        CheckIds(wire.Learners, "learners");
        CheckIds(wire.LearnersNext, "next learners");
        foreach (var id in wire.Learners)
        {
            if (wire.Voters.Contains(id) || wire.VotersOutgoing.Contains(id))
            {
                throw new FormatException($"Bad membership: {id} is both a learner and a voter.");
            }
        }

        foreach (var id in wire.LearnersNext)
        {
            if (!wire.VotersOutgoing.Contains(id) || wire.Voters.Contains(id))
            {
                throw new FormatException($"Bad membership: next learner {id} must be an outgoing voter only.");
            }
        }

        if (wire.AutoLeave && wire.VotersOutgoing.Count == 0)
        {
            throw new FormatException("Bad membership: auto-leave outside a joint configuration.");
        }

        return new ConfState(wire.Voters, wire.VotersOutgoing, wire.Learners, wire.LearnersNext, wire.AutoLeave);
    }

    private static void CheckIds(IReadOnlyList<ulong> ids, string what)
    {
        var seen = new HashSet<ulong>();
        foreach (var id in ids)
        {
            if (id == 0)
            {
                throw new FormatException($"Bad membership: member id 0 among the {what}.");
            }

            if (!seen.Add(id))
            {
                throw new FormatException($"Bad membership: member {id} appears twice among the {what}.");
            }
        }
    }
}
