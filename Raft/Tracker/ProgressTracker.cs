namespace MultiRaft.Raft;

/// <summary>
/// The membership in force and the leader's progress for each member, plus the votes of the
/// current election. Ids are iterated in sorted order so that runs are reproducible.
/// </summary>
internal sealed class ProgressTracker
{
    private static readonly Dictionary<ulong, bool> NoVotes = [];

    // Made by an election's first vote and dropped when the next one starts or the member takes a
    // role: a silo's thousands of members are mostly past their elections, and a dictionary kept
    // for each (with its arrays) cost 200 bytes a member.
    private Dictionary<ulong, bool>? _votes;

    public ProgressTracker(int maxInflight, long maxInflightBytes)
    {
        MaxInflight = maxInflight;
        MaxInflightBytes = maxInflightBytes;
    }

    public int MaxInflight { get; }

    public long MaxInflightBytes { get; }

    public TrackerConfig Config { get; private set; } = TrackerConfig.Empty;

    public Dictionary<ulong, Progress> Progress { get; private set; } = [];

    /// <summary>Every member id, sorted.</summary>
    public ulong[] Ids { get; private set; } = [];

    public IReadOnlyDictionary<ulong, bool> Votes => _votes ?? NoVotes;

    public bool IsSingleton => Config.Voters.Incoming.Count == 1 && !Config.Voters.IsJoint;

    public void Set(TrackerConfig config, Dictionary<ulong, Progress> progress)
    {
        Config = config;
        Progress = progress;
        var ids = progress.Keys.ToArray();
        Array.Sort(ids);
        Ids = ids;
    }

    /// <summary>Fresh progress for every member of <paramref name="cs"/>, each to be sent from <paramref name="next"/>.</summary>
    public Dictionary<ulong, Progress> NewProgress(ConfState cs, ulong next)
    {
        var prs = new Dictionary<ulong, Progress>();
        foreach (var id in cs.Voters.Concat(cs.VotersOutgoing).Concat(cs.Learners).Concat(cs.LearnersNext))
        {
            prs[id] = new Progress(next, MaxInflight, MaxInflightBytes, cs.Learners.Contains(id));
        }

        return prs;
    }

    public Progress? Get(ulong id) => Progress.TryGetValue(id, out var p) ? p : null;

    /// <summary>The largest index replicated on a quorum (of both halves when joint).</summary>
    public ulong Committed() => Config.Voters.CommittedIndex(new ProgressIndexer(Progress, rounds: false));

    /// <summary>The newest heartbeat round a quorum acknowledged.</summary>
    public ulong QuorumAckedRound() => Config.Voters.CommittedIndex(new ProgressIndexer(Progress, rounds: true));

    /// <summary>Whether a quorum was heard from since the last check (the leader counts itself).</summary>
    public bool QuorumActive(ulong self)
    {
        var active = new Dictionary<ulong, bool>();
        foreach (var id in Ids)
        {
            var pr = Progress[id];
            if (!pr.IsLearner)
            {
                active[id] = id == self || pr.RecentActive;
            }
        }

        return Config.Voters.Vote(active) == VoteResult.Won;
    }

    public void ResetVotes() => _votes = null;

    public void RecordVote(ulong id, bool granted) => (_votes ??= []).TryAdd(id, granted);

    public (int Granted, int Rejected, VoteResult Result) TallyVotes()
    {
        int granted = 0, rejected = 0;
        foreach (var id in Ids)
        {
            if (Progress[id].IsLearner || _votes is null || !_votes.TryGetValue(id, out var v))
            {
                continue;
            }

            if (v)
            {
                granted++;
            }
            else
            {
                rejected++;
            }
        }

        return (granted, rejected, Config.Voters.Vote(_votes ?? NoVotes));
    }

    /// <summary>Reads each member's Match, or the heartbeat round it acknowledged.</summary>
    private readonly struct ProgressIndexer(Dictionary<ulong, Progress> prs, bool rounds) : IAckedIndexer
    {
        public bool TryAcked(ulong id, out ulong index)
        {
            if (prs.TryGetValue(id, out var p))
            {
                index = rounds ? p.AckedRound : p.Match;
                return true;
            }

            index = 0;
            return false;
        }
    }
}
