namespace MultiRaft.Raft;

/// <summary>The kinds of message a member steps. Local kinds never cross the network.</summary>
public enum MessageType : byte
{
    /// <summary>Local: start an election.</summary>
    Hup,

    /// <summary>Local: the leader's heartbeat timer fired.</summary>
    Beat,

    /// <summary>A proposal of entries, local or forwarded by a follower to the leader.</summary>
    Propose,

    /// <summary>Leader to follower: entries after (Index, LogTerm), and the leader's commit.</summary>
    Append,

    /// <summary>Follower to leader: accepted up to Index, or rejected with a hint.</summary>
    AppendResponse,

    /// <summary>Candidate to voter.</summary>
    Vote,

    /// <summary>Voter to candidate.</summary>
    VoteResponse,

    /// <summary>Pre-candidate to voter: would you vote for me at Term?</summary>
    PreVote,

    /// <summary>Voter to pre-candidate.</summary>
    PreVoteResponse,

    /// <summary>Leader to a follower whose next entry is compacted away.</summary>
    Snapshot,

    /// <summary>Leader to follower: I lead; carries commit and a heartbeat round (Context).</summary>
    Heartbeat,

    /// <summary>Follower to leader: echoes the heartbeat round.</summary>
    HeartbeatResponse,

    /// <summary>Local: the transport could not reach a member.</summary>
    Unreachable,

    /// <summary>Local: the outcome of sending a snapshot.</summary>
    SnapshotStatus,

    /// <summary>Local: the leader's check that a quorum was recently active.</summary>
    CheckQuorum,

    /// <summary>Ask the leader to hand leadership to From.</summary>
    TransferLeader,

    /// <summary>Leader to transferee: campaign now, skipping PreVote and leases.</summary>
    TimeoutNow,

    /// <summary>A linearizable read request, local or forwarded; Context identifies it.</summary>
    ReadIndex,

    /// <summary>Leader to follower: the read identified by Context may be served at Index.</summary>
    ReadIndexResponse,
}

/// <summary>Flags on a message.</summary>
[Flags]
public enum MessageFlags : byte
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>On a heartbeat: the group is idle; a caught-up follower may stop its election timer (and does not answer).</summary>
    Quiesce = 1,

    /// <summary>On a vote request: the campaign follows a leader transfer and may break leases.</summary>
    Transfer = 2,

    /// <summary>
    /// On a heartbeat answer sent unasked: a learner heard nothing from its leader for an election
    /// timeout; a quiesced leader tells it the commit again (a voter campaigns instead).
    /// </summary>
    Awake = 4,
}

/// <summary>
/// One Raft message. Created by the core, handed to the application in <see cref="Ready"/>, and
/// never changed after that, so a transport may queue or share it.
/// </summary>
public sealed class Message
{
    /// <summary>The kind of message.</summary>
    public MessageType Type { get; init; }

    /// <summary>Recipient.</summary>
    public ulong To { get; set; }

    /// <summary>Sender.</summary>
    public ulong From { get; set; }

    /// <summary>The sender's term (0 for local messages).</summary>
    public ulong Term { get; set; }

    /// <summary>Append: term of the entry at <see cref="Index"/>; rejection: the hint's term; vote: candidate's last term.</summary>
    public ulong LogTerm { get; init; }

    /// <summary>Append: index before <see cref="Entries"/>; response: last accepted or rejected index; read: read index.</summary>
    public ulong Index { get; init; }

    /// <summary>Entries carried (shared, never modified).</summary>
    public Entry[] Entries { get; init; } = [];

    /// <summary>The sender's commit index.</summary>
    public ulong Commit { get; init; }

    /// <summary>Carried by <see cref="MessageType.Snapshot"/>.</summary>
    public Snapshot? Snapshot { get; init; }

    /// <summary>True when the response refuses.</summary>
    public bool Reject { get; init; }

    /// <summary>On a rejected append: the follower's guess of the last index that may match.</summary>
    public ulong RejectHint { get; init; }

    /// <summary>Heartbeat round, or read request id.</summary>
    public ulong Context { get; init; }

    /// <summary>Flags.</summary>
    public MessageFlags Flags { get; init; }

    /// <summary>Whether a message of this type stays inside one member.</summary>
    public static bool IsLocal(MessageType t) =>
        t is MessageType.Hup or MessageType.Beat or MessageType.Unreachable or MessageType.SnapshotStatus
            or MessageType.CheckQuorum;

    /// <summary>Whether a message of this type answers another.</summary>
    public static bool IsResponse(MessageType t) =>
        t is MessageType.AppendResponse or MessageType.VoteResponse or MessageType.PreVoteResponse
            or MessageType.HeartbeatResponse or MessageType.ReadIndexResponse;

    /// <summary>Bytes of entry payload and overhead carried.</summary>
    public long EntriesSize
    {
        get
        {
            long s = 0;
            foreach (ref readonly var e in Entries.AsSpan())
            {
                s += e.Size;
            }

            return s;
        }
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var s = $"{From}->{To} {Type} term={Term}";
        if (LogTerm != 0 || Index != 0)
        {
            s += $" log={LogTerm}/{Index}";
        }

        if (Commit != 0)
        {
            s += $" commit={Commit}";
        }

        if (Entries.Length > 0)
        {
            s += $" entries={Entries.Length}";
        }

        if (Reject)
        {
            s += $" rejected hint={RejectHint}";
        }

        if (Context != 0)
        {
            s += $" ctx={Context}";
        }

        if (Flags != MessageFlags.None)
        {
            s += $" {Flags}";
        }

        if (Snapshot is not null)
        {
            s += $" {Snapshot}";
        }

        return s;
    }
}
