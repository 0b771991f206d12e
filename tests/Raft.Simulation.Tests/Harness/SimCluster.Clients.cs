namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>Clients: proposals with unique payloads, and linearizable reads.</summary>
public sealed partial class SimCluster
{
    private ulong _nextPayloadId = 1;
    private ulong _nextReadId = 1;

    /// <summary>Proposes a fresh unique payload at <paramref name="at"/>; returns its id and the core's answer.</summary>
    public (ulong Id, ProposalResult Result) Propose(ulong at)
    {
        var id = _nextPayloadId++;
        var r = _nodes[at].Running.Propose(Payload.Create(id, Options.PayloadSize));
        return (id, r);
    }

    /// <summary>Proposes <paramref name="count"/> payloads at the current leader; false without a leader.</summary>
    public bool ProposeAtLeader(int count = 1)
    {
        var l = Leader;
        if (l is null)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            Propose(l.Id);
        }

        return true;
    }

    /// <summary>Issues a linearizable read at <paramref name="at"/>; returns its request id and the core's answer.</summary>
    public (ulong RequestId, ProposalResult Result) Read(ulong at)
    {
        var req = _nextReadId++;
        Checker.OnReadIssued(req);
        var r = _nodes[at].Running.ReadIndex(req);
        return (req, r);
    }

    /// <summary>Runs until a leader is known to every running voter; returns it (throws on timeout).</summary>
    public SimNode WaitForLeader(long maxMs = 10_000)
    {
        if (!RunUntil(() => Leader is { } l && Running.All(n => n.Running.Lead == l.Id || !l.ConfState.Contains(n.Id)), maxMs))
        {
            throw new SimulationFailure($"no leader within {maxMs} ms: {this}");
        }

        return Leader!;
    }

    /// <summary>
    /// Runs until <paramref name="done"/> holds while a client proposes one write to the leader
    /// every <paramref name="everyMs"/> milliseconds; false on timeout.
    /// </summary>
    public bool RunWithTraffic(Func<bool> done, long maxMs, int everyMs = 10)
    {
        var end = Now + maxMs;
        while (!done())
        {
            if (Now >= end)
            {
                return false;
            }

            ProposeAtLeader();
            RunFor(Math.Min(everyMs, end - Now));
        }

        return true;
    }

    /// <summary>Heals every fault and runs until the group converges; then checks it (throws otherwise).</summary>
    public void SettleAndAssertConverged(long maxMs = 20_000)
    {
        HealAll();
        if (!RunUntil(() => Checker.Converged(out _) && Leader is { ConfState.IsJoint: false }, maxMs))
        {
            Checker.Converged(out var why);
            throw new SimulationFailure($"the group did not converge within {maxMs} ms: {why}\n  at {this}");
        }

        Checker.AssertConverged();
    }
}
