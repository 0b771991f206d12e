using System.Text;
using MultiRaft.Raft;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>Trackers to hand to <see cref="Changer"/>, and a fingerprint to prove it left them alone.</summary>
internal static class ChangerFixtures
{
    public const ulong LastIndex = 10;

    /// <summary>A tracker in configuration <paramref name="cs"/>; member i has Match i and Next i + 1.</summary>
    public static ProgressTracker Tracker(ConfState cs)
    {
        var t = new ProgressTracker(4, 1000);
        var prs = new Dictionary<ulong, Progress>();
        foreach (var id in cs.Voters.Concat(cs.VotersOutgoing).Concat(cs.Learners).Concat(cs.LearnersNext).Distinct())
        {
            prs[id] = new Progress(id + 1, 4, 1000, cs.Learners.Contains(id)) { Match = id };
        }

        t.Set(TrackerConfig.From(cs), prs);
        return t;
    }

    /// <summary>Everything about the tracker a change could touch, as text.</summary>
    public static string Fingerprint(ProgressTracker t)
    {
        var sb = new StringBuilder().Append(t.Config).Append(" |");
        foreach (var (id, p) in t.Progress.OrderBy(kv => kv.Key))
        {
            sb.Append(' ').Append(id).Append(':').Append(p).Append(" active=").Append(p.RecentActive)
                .Append(" hash=").Append(p.GetHashCode());
        }

        return sb.ToString();
    }

    /// <summary>Applies <paramref name="cc"/> and checks the tracker given to the changer is unchanged.</summary>
    public static (ConfState Conf, Dictionary<ulong, Progress> Progress) Apply(ProgressTracker t, ConfChange cc)
    {
        var before = Fingerprint(t);
        var liveProgress = t.Progress;
        try
        {
            var (cfg, prs) = new Changer(t, LastIndex).Apply(cc);
            Assert.NotSame(liveProgress, prs);
            foreach (var (id, p) in prs)
            {
                if (t.Progress.TryGetValue(id, out var live))
                {
                    Assert.NotSame(live, p);
                }
            }

            return (cfg.ToConfState(), prs);
        }
        finally
        {
            Assert.Equal(before, Fingerprint(t));
            Assert.Same(liveProgress, t.Progress);
        }
    }

    public static ConfChange Changes(ConfChangeTransition transition, params (ConfChangeType Type, ulong Id)[] changes) =>
        new(transition, changes.Select(c => new ConfChangeSingle(c.Type, c.Id)).ToArray());
}
