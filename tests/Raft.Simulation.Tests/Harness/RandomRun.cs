namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>
/// One randomized run: a 3- or 5-member group and a few thousand steps of proposals, reads,
/// crashes (now, or at a Ready phase), restarts, partitions, one-way cuts, loss, duplication,
/// long delays, membership changes, leader transfers and quiescence, safe or lease-based reads,
/// with snapshots taken by the
/// members. Then every fault is healed, the group settles, and everything acknowledged must be
/// on every member. Everything follows from the seed.
/// </summary>
public sealed class RandomRun
{
    private const int MaxNewMembers = 4;
    private const long SettleMs = 60_000;

    private readonly SimCluster _c;
    private readonly Random _rng;
    private readonly int _steps;
    private int _newMembers;

    public RandomRun(int seed, int steps, ReadOnlyOption? reads = null)
    {
        Seed = seed;
        _steps = steps;

        // The options come from their own generator of the same seed, so the cluster's stream
        // is the same whichever options were drawn.
        var pick = new Random(seed ^ 0x5EED);
        Options = new SimOptions
        {
            Seed = seed,
            Nodes = pick.Next(2) == 0 ? 3 : 5,
            HeartbeatTick = pick.Next(1, 3),
            SnapshotEvery = pick.Next(4) == 0 ? 0 : pick.Next(3, 40),
            MaxSizePerMsg = pick.Next(2) == 0 ? 1024 * 1024 : pick.Next(40, 200),
            MaxInflightMsgs = pick.Next(2) == 0 ? 256 : pick.Next(1, 5),
            MinDelayMs = pick.Next(0, 3),
            MaxDelayMs = pick.Next(3, 20),
            PayloadSize = pick.Next(8, 40),
            ReadOnlyOption = reads ?? (pick.Next(3) == 0 ? ReadOnlyOption.LeaseBased : ReadOnlyOption.Safe),

            // Drawn last, so every other option of a seed is what it was before this one existed.
            CommitNoticeByHeartbeat = pick.Next(2) == 0,
            QuiesceEachTick = pick.Next(2) == 0,
        };
        _c = new SimCluster(Options);
        _rng = _c.Rng;
    }

    public int Seed { get; }

    public SimOptions Options { get; }

    public SimCluster Cluster => _c;

    /// <summary>Runs the faults, heals, settles and checks convergence; throws <see cref="SimulationFailure"/> on any violation.</summary>
    public void Execute()
    {
        for (var i = 0; i < _steps; i++)
        {
            Act();
            _c.Step();
        }

        _c.HealAll();
        var settled = _c.RunUntil(() =>
        {
            LeaveExplicitJoint();
            return _c.Checker.Converged(out _) && _c.Leader is { ConfState.IsJoint: false };
        }, SettleMs);
        if (!settled)
        {
            _c.Checker.Converged(out var why);
            throw new SimulationFailure($"the group did not settle within {SettleMs} ms after healing: {why}\n  at {_c}");
        }

        _c.Checker.AssertConverged();
    }

    private void Act()
    {
        var p = _rng.NextDouble();
        if ((p -= 0.08) < 0)
        {
            ProposeSomewhere();
        }
        else if ((p -= 0.02) < 0)
        {
            ReadSomewhere();
        }
        else if ((p -= 0.003) < 0)
        {
            CrashOne();
        }
        else if ((p -= 0.01) < 0)
        {
            RestartOne();
        }
        else if ((p -= 0.002) < 0)
        {
            PartitionRandomly();
        }
        else if ((p -= 0.001) < 0)
        {
            var ids = Members();
            _c.Net.Cut(ids[_rng.Next(ids.Count)], ids[_rng.Next(ids.Count)]);
        }
        else if ((p -= 0.004) < 0)
        {
            _c.Net.Heal();
        }
        else if ((p -= 0.002) < 0)
        {
            ChangeNetworkWeather();
        }
        else if ((p -= 0.003) < 0)
        {
            ChangeMembership();
        }
        else if ((p -= 0.002) < 0)
        {
            TransferLeadership();
        }
        else if ((p -= 0.002) < 0)
        {
            // Half the time as the silo does: without waiting for members that are down.
            var leader = _c.Leader?.Running;
            if (_rng.Next(2) == 0)
            {
                leader?.TryQuiesce();
            }
            else
            {
                leader?.TryQuiesce(id => _c.Nodes.TryGetValue(id, out var n) && !n.IsUp);
            }
        }
    }

    private List<ulong> Members() => _c.Nodes.Values.Where(n => !n.IsRemoved).Select(n => n.Id).ToList();

    private SimNode? RandomRunning()
    {
        var up = _c.Running.ToList();
        return up.Count == 0 ? null : up[_rng.Next(up.Count)];
    }

    private void ProposeSomewhere()
    {
        // Mostly at the leader (in batches, as a busy client would), sometimes at any member
        // (a follower forwards it).
        var at = _rng.Next(3) == 0 ? RandomRunning() : _c.Leader;
        if (at is null)
        {
            return;
        }

        var count = _rng.Next(4) == 0 ? _rng.Next(2, 8) : 1;
        for (var i = 0; i < count; i++)
        {
            _c.Propose(at.Id);
        }
    }

    private void ReadSomewhere()
    {
        if (RandomRunning() is { } n)
        {
            _c.Read(n.Id);
        }
    }

    private void CrashOne()
    {
        if (RandomRunning() is not { } n)
        {
            return;
        }

        if (_rng.Next(2) == 0)
        {
            _c.Crash(n.Id);
        }
        else
        {
            _c.CrashAt(n.Id, (CrashPoint)_rng.Next(5));
        }
    }

    private void RestartOne()
    {
        var down = _c.Nodes.Values.Where(n => !n.IsUp && !n.IsRemoved).ToList();
        if (down.Count > 0)
        {
            var id = down[_rng.Next(down.Count)].Id;
            _c.Restart(id);
            // As the silo does when a member's silo restarts: its quiesced leader tells it alone.
            if (_rng.Next(2) == 0 && _c.Leader?.Running is { IsQuiesced: true } leader)
            {
                leader.SendQuiesceHeartbeat(id);
            }
        }
    }

    private void PartitionRandomly()
    {
        var ids = Members();
        var a = new List<ulong>();
        var b = new List<ulong>();
        foreach (var id in ids)
        {
            (_rng.Next(2) == 0 ? a : b).Add(id);
        }

        _c.Net.Partition(a, b);
    }

    private void ChangeNetworkWeather()
    {
        var net = _c.Net;
        net.DropRate = _rng.Next(3) switch { 0 => 0, 1 => 0.05, _ => 0.2 };
        net.DuplicateRate = _rng.Next(3) == 0 ? 0.05 : 0;
        net.LongDelayRate = _rng.Next(4) == 0 ? 0.02 : 0;
        net.MaxDelayMs = _rng.Next(net.MinDelayMs + 1, 30);
    }

    private void TransferLeadership()
    {
        if (_c.Leader is not { } l)
        {
            return;
        }

        var voters = l.ConfState.Voters;
        l.Running.TransferLeader(voters[_rng.Next(voters.Count)]);
    }

    private void LeaveExplicitJoint()
    {
        if (_c.Leader is { ConfState: { IsJoint: true, AutoLeave: false } } l)
        {
            l.Running.ProposeConfChange(ConfChange.LeaveJoint);
        }
    }

    private void ChangeMembership()
    {
        if (_c.Leader is not { } l)
        {
            return;
        }

        var cs = l.ConfState;
        if (cs.IsJoint)
        {
            LeaveExplicitJoint();
            return;
        }

        var voters = cs.Voters;
        var pickVoter = voters[_rng.Next(voters.Count)];
        ConfChange? cc = _rng.Next(6) switch
        {
            0 when _newMembers < MaxNewMembers => ConfChange.Single(ConfChangeType.AddLearner, NewMember()),
            1 when cs.Learners.Count > 0 => ConfChange.Single(ConfChangeType.AddVoter, cs.Learners[_rng.Next(cs.Learners.Count)]),
            2 when voters.Count > 2 => ConfChange.Single(ConfChangeType.RemoveNode, pickVoter),
            3 when cs.Learners.Count > 0 => ConfChange.Single(ConfChangeType.RemoveNode, cs.Learners[0]),
            4 when _newMembers < MaxNewMembers => new ConfChange(
                _rng.Next(2) == 0 ? ConfChangeTransition.JointImplicit : ConfChangeTransition.JointExplicit,
                [new ConfChangeSingle(ConfChangeType.AddVoter, NewMember()), new ConfChangeSingle(ConfChangeType.RemoveNode, pickVoter)]),
            5 when _newMembers < MaxNewMembers && voters.Count < 5 => ConfChange.Single(ConfChangeType.AddVoter, NewMember()),
            _ => null,
        };
        if (cc is not null)
        {
            l.Running.ProposeConfChange(cc);
        }
    }

    private ulong NewMember()
    {
        _newMembers++;
        return _c.CreateMember();
    }
}
