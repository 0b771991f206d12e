namespace MultiRaft.Raft;

/// <summary>
/// Computes the configuration and progress that result from a membership change, refusing
/// changes that can never be valid with <see cref="InvalidConfChangeException"/>. Pure: the
/// inputs are never modified, so a leader can dry-run a proposal.
/// </summary>
internal sealed class Changer
{
    private readonly ProgressTracker _tracker;
    private readonly ulong _lastIndex;

    public Changer(ProgressTracker tracker, ulong lastIndex)
    {
        _tracker = tracker;
        _lastIndex = lastIndex;
    }

    /// <summary>Carries out <paramref name="cc"/> as it says (simple, enter joint, or leave joint).</summary>
    public (TrackerConfig Config, Dictionary<ulong, Progress> Progress) Apply(ConfChange cc)
    {
        if (cc.IsLeaveJoint)
        {
            return LeaveJoint();
        }

        return cc.EntersJoint(out var autoLeave) ? EnterJoint(autoLeave, cc.Changes) : Simple(cc.Changes);
    }

    public (TrackerConfig, Dictionary<ulong, Progress>) EnterJoint(bool autoLeave, IReadOnlyList<ConfChangeSingle> changes)
    {
        var w = Working.From(_tracker);
        if (w.Outgoing.Count > 0)
        {
            throw new InvalidConfChangeException("the configuration is already joint; leave it before changing it again");
        }

        if (w.Incoming.Count == 0)
        {
            throw new InvalidConfChangeException("a configuration without voters cannot become joint");
        }

        w.Outgoing.UnionWith(w.Incoming);
        Apply(w, changes);
        return w.Build(autoLeave);
    }

    public (TrackerConfig, Dictionary<ulong, Progress>) LeaveJoint()
    {
        var w = Working.From(_tracker);
        if (w.Outgoing.Count == 0)
        {
            throw new InvalidConfChangeException("the configuration is not joint, so it cannot be left");
        }

        foreach (var id in w.LearnersNext)
        {
            w.Learners.Add(id);
            w.Progress[id].IsLearner = true;
        }

        w.LearnersNext.Clear();
        foreach (var id in w.Outgoing)
        {
            if (!w.Incoming.Contains(id) && !w.Learners.Contains(id))
            {
                w.Progress.Remove(id);
            }
        }

        w.Outgoing.Clear();
        return w.Build(autoLeave: false);
    }

    public (TrackerConfig, Dictionary<ulong, Progress>) Simple(IReadOnlyList<ConfChangeSingle> changes)
    {
        var w = Working.From(_tracker);
        if (w.Outgoing.Count > 0)
        {
            throw new InvalidConfChangeException("a simple change cannot be made in a joint configuration");
        }

        Apply(w, changes);
        var before = new HashSet<ulong>(_tracker.Config.Voters.Incoming.Ids);
        before.SymmetricExceptWith(w.Incoming);
        if (before.Count > 1)
        {
            throw new InvalidConfChangeException("more than one voter changed; use a joint configuration");
        }

        return w.Build(autoLeave: false);
    }

    private void Apply(Working w, IReadOnlyList<ConfChangeSingle> changes)
    {
        foreach (var c in changes)
        {
            if (c.NodeId == 0)
            {
                throw new InvalidConfChangeException("node id 0 is not a valid member");
            }

            switch (c.Type)
            {
                case ConfChangeType.AddVoter:
                    MakeVoter(w, c.NodeId);
                    break;
                case ConfChangeType.AddLearner:
                    MakeLearner(w, c.NodeId);
                    break;
                case ConfChangeType.RemoveNode:
                    Remove(w, c.NodeId);
                    break;
                default:
                    throw new InvalidConfChangeException($"unknown change type {c.Type}");
            }
        }

        if (w.Incoming.Count == 0)
        {
            throw new InvalidConfChangeException("the change removes every voter");
        }
    }

    private void MakeVoter(Working w, ulong id)
    {
        if (!w.Progress.TryGetValue(id, out var pr))
        {
            w.Progress[id] = NewProgress(isLearner: false);
        }
        else if (w.Incoming.Contains(id))
        {
            throw new InvalidConfChangeException($"node {id} is already a voter");
        }
        else
        {
            pr.IsLearner = false;
        }

        w.Learners.Remove(id);
        w.LearnersNext.Remove(id);
        w.Incoming.Add(id);
    }

    private void MakeLearner(Working w, ulong id)
    {
        if (!w.Progress.TryGetValue(id, out var pr))
        {
            w.Progress[id] = NewProgress(isLearner: true);
            w.Learners.Add(id);
            return;
        }

        if (w.Learners.Contains(id) || w.LearnersNext.Contains(id))
        {
            throw new InvalidConfChangeException($"node {id} is already a learner");
        }

        w.Incoming.Remove(id);

        // A voter of the outgoing configuration keeps voting there until the joint
        // configuration is left, and only then becomes a learner.
        if (w.Outgoing.Contains(id))
        {
            w.LearnersNext.Add(id);
        }
        else
        {
            pr.IsLearner = true;
            w.Learners.Add(id);
        }
    }

    private static void Remove(Working w, ulong id)
    {
        if (!w.Incoming.Contains(id) && !w.Learners.Contains(id) && !w.LearnersNext.Contains(id))
        {
            throw new InvalidConfChangeException($"node {id} is not a member");
        }

        w.Incoming.Remove(id);
        w.Learners.Remove(id);
        w.LearnersNext.Remove(id);
        if (!w.Outgoing.Contains(id))
        {
            w.Progress.Remove(id);
        }
    }

    private Progress NewProgress(bool isLearner) =>
        new(_lastIndex + 1, _tracker.MaxInflight, _tracker.MaxInflightBytes, isLearner)
        {
            // A new member gets a full election timeout before CheckQuorum counts it as silent.
            RecentActive = true,
        };

    /// <summary>Mutable copies of the tracker's sets; progress objects are cloned lazily by identity.</summary>
    private sealed class Working
    {
        public HashSet<ulong> Incoming { get; } = [];

        public HashSet<ulong> Outgoing { get; } = [];

        public HashSet<ulong> Learners { get; } = [];

        public HashSet<ulong> LearnersNext { get; } = [];

        public Dictionary<ulong, Progress> Progress { get; } = [];

        public static Working From(ProgressTracker t)
        {
            var w = new Working();
            w.Incoming.UnionWith(t.Config.Voters.Incoming.Ids);
            w.Outgoing.UnionWith(t.Config.Voters.Outgoing.Ids);
            w.Learners.UnionWith(t.Config.Learners);
            w.LearnersNext.UnionWith(t.Config.LearnersNext);
            foreach (var (id, pr) in t.Progress)
            {
                w.Progress[id] = pr.Clone();
            }

            return w;
        }

        public (TrackerConfig, Dictionary<ulong, Progress>) Build(bool autoLeave)
        {
            foreach (var id in Incoming.Concat(Outgoing).Concat(Learners).Concat(LearnersNext))
            {
                if (!Progress.ContainsKey(id))
                {
                    throw new RaftInvariantException($"member {id} has no progress");
                }
            }

            if (Learners.Overlaps(Incoming) || Learners.Overlaps(Outgoing))
            {
                throw new RaftInvariantException("a learner is also a voter");
            }

            if (!LearnersNext.IsSubsetOf(Outgoing))
            {
                throw new RaftInvariantException("a next learner is not an outgoing voter");
            }

            var cfg = new TrackerConfig(
                new JointConfig(new MajorityConfig(Incoming), new MajorityConfig(Outgoing)),
                Learners, LearnersNext, Outgoing.Count > 0 && autoLeave);
            return (cfg, Progress);
        }
    }
}
