namespace MultiRaft.Raft;

/// <summary>A member's view of one peer (meaningful on the leader).</summary>
public readonly record struct PeerProgress(ulong Id, ulong Match, ulong Next, ProgressState State, bool IsLearner, bool RecentActive);

/// <summary>A snapshot of a member's state for operators and tests.</summary>
public sealed record Status(
    ulong Id,
    HardState HardState,
    SoftState SoftState,
    ulong Applied,
    ulong LastIndex,
    ulong LeadTransferee,
    bool Quiesced,
    ConfState Config,
    IReadOnlyList<PeerProgress> Progress);
