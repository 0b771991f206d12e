using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Nemesis;

/// <summary>The <see cref="NemesisKind.Split"/> nemesis: shard splits on the workload's keys while it runs.</summary>
public sealed partial class Nemeses
{
    // A silo killed right after a split stays down for the rest of the hold; a second kill soon
    // after could take a second silo of three away while the first is not a member again, which
    // would leave no quorum for the rest of a short run (a Kill nemesis's business, not this one's).
    private static readonly TimeSpan SplitKillSpacing = TimeSpan.FromSeconds(15);

    // A fault's splits: its first and then its new shards in turn. Bounded, so that a long
    // campaign's map grows by tens of shards, not by hundreds.
    private const int SplitsPerFault = 3;

    // A silo killed after a split stays down at least this long, even when the splits took the hold.
    private static readonly TimeSpan MinKillDown = TimeSpan.FromSeconds(1.5);

    private ulong? _freshChild;
    private int _splitFaults;
    private DateTime _lastSplitKill = DateTime.MinValue;

    /// <summary>The workload's keys: the split nemesis splits the shards that hold them, so that they move.</summary>
    public IReadOnlyList<string> Keys { get; init; } = [];

    /// <summary>Splits the router accepted (202) during the run; the map has grown by at least this many shards.</summary>
    public int SplitsAccepted { get; private set; }

    /// <summary>Of <see cref="SplitsAccepted"/>, splits of a shard that a split of this nemesis had just made.</summary>
    public int FreshChildSplits { get; private set; }

    // Until the hold is over: splits a shard holding workload keys so that some of them move to
    // the new shard, then the new shard again (the router refuses until the new shard's leader
    // has reported; refusals are retried). The faults take turns at what follows a split while
    // its shard's leader carries it out: a leader transfer of the shard after its first split, a
    // kill -9 of a silo of the shard after the fault's last split (restarted once the hold is
    // over, and no sooner than MinKillDown), nothing. The first fault has no kill: a short run
    // gets its splits in before the kill slows the cluster down.
    private async Task<string> SplitAsync(TimeSpan hold, CancellationToken cancellationToken)
    {
        var done = new List<string>();
        var refused = 0;
        var other = 0;
        var followUp = (SplitFollowUp)(_splitFaults++ % 3);
        (ClusterView View, ShardDescriptor Shard)? last = null;
        int? killed = null;
        var until = DateTime.UtcNow + hold;
        try
        {
            while (DateTime.UtcNow < until && done.Count < SplitsPerFault)
            {
                var view = await cluster.TryViewAsync();
                // The fault's first split takes the last fault's new shard half the time, else any shard with keys.
                var followChild = done.Count > 0 || rng.Next(2) == 0;
                if (view is null || PickSplit(view, followChild) is not var (shard, at, fresh))
                {
                    other++;
                    await Task.Delay(300, cancellationToken);
                    continue;
                }

                var (status, answer) = await PostSplitAsync(shard.ShardId, at);
                if (status != HttpStatusCode.Accepted)
                {
                    // 409: not settled yet (the new shard's leader has not reported), or the view was stale.
                    if (status == HttpStatusCode.Conflict)
                    {
                        refused++;
                    }
                    else
                    {
                        other++;
                    }

                    await Task.Delay(200 + rng.Next(200), cancellationToken);
                    continue;
                }

                SplitsAccepted++;
                FreshChildSplits += fresh ? 1 : 0;
                _freshChild = NewShardId(answer);
                last = (view, shard);
                var what = string.Create(CultureInfo.InvariantCulture,
                    $"{(fresh ? "fresh " : "")}shard {shard.ShardId} at {at} -> new shard {_freshChild} ({KeysIn(shard, at)})");
                if (followUp == SplitFollowUp.Transfer && done.Count == 0)
                {
                    what += $", then transfer {await TransferLeaderAsync(view, shard)}";
                }

                done.Add(what);
                await Task.Delay(100 + rng.Next(200), cancellationToken);
            }

            if (followUp == SplitFollowUp.Kill && last is var (lastView, lastShard) && KillAfterSplit(lastView, lastShard) is var (victim, whom))
            {
                killed = victim;
                done[^1] += $", then kill -9 {Name(victim)} ({whom})";
                until = DateTime.UtcNow + MinKillDown > until ? DateTime.UtcNow + MinKillDown : until;
            }

            // The fault lasts its hold (a silo killed after a split stays down until then).
            if (until - DateTime.UtcNow is { Ticks: > 0 } rest)
            {
                await Task.Delay(rest, cancellationToken);
            }
        }
        finally
        {
            if (killed is { } k)
            {
                cluster[k].Start();
                _killed.Remove(k);
            }
        }

        var tail = $"{refused} refused, {other} unanswered or not attempted";
        return done.Count == 0
            ? $"no split: {tail}"
            : $"split {string.Join("; ", done)}; {tail}" + (killed is { } r ? $"; {Name(r)} restarted (pid {cluster[r].Pid})" : "");
    }

    // Kills a silo holding a replica of the shard just split, its leader's when that is a fault
    // target; null when none is a fault target or the last kill was too recent.
    private (int Victim, string Whom)? KillAfterSplit(ClusterView view, ShardDescriptor shard)
    {
        var holders = shard.Replicas.Select(r => cluster.IndexOf(r.SiloId)).Where(cluster.FaultTargets.Contains).ToList();
        if (holders.Count == 0 || DateTime.UtcNow - _lastSplitKill < SplitKillSpacing)
        {
            return null;
        }

        var leader = view.Leaders.FirstOrDefault(l => l.ShardId == shard.ShardId)?.SiloId;
        var leaders = holders.Where(i => Name(i) == leader).ToList();
        var victim = leaders.Count > 0 ? leaders[0] : holders[rng.Next(holders.Count)];
        cluster[victim].Kill9();
        _killed.Add(victim);
        _lastSplitKill = DateTime.UtcNow;
        return (victim, leaders.Count > 0 ? "its leader" : "a follower");
    }

    // The shard to split and where, and whether it is the new shard of the last split: with
    // followChild that one if it still holds a workload key, else a random shard that holds one.
    private (ShardDescriptor Shard, ulong At, bool Fresh)? PickSplit(ClusterView view, bool followChild)
    {
        var hashes = Keys.Select(k => KeyHash.Of(Encoding.UTF8.GetBytes(k))).Distinct().Order().ToList();
        var candidates = view.Shards
            .Where(s => s.ShardId != 0 && s.HashEnd - s.HashStart > 1 && hashes.Any(h => h >= s.HashStart && h < s.HashEnd))
            .ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var child = followChild ? _freshChild : null;
        if (child is { } c && view.Shards.All(s => s.ShardId != c))
        {
            // A view from a silo whose copy of the map has not caught up with the last split yet.
            return null;
        }

        var shard = candidates.FirstOrDefault(s => s.ShardId == child) ?? candidates[rng.Next(candidates.Count)];
        var inside = hashes.Where(h => h >= shard.HashStart && h < shard.HashEnd).ToList();
        // A split at a hash in (the previous key's hash or the range start, a key's hash] moves
        // that key and the ones above it, keeping those below; with only a key at the range's
        // start the split moves the rest of the range and the key stays.
        var movable = inside.Where(h => h > shard.HashStart).ToList();
        ulong at;
        if (movable.Count > 0)
        {
            var key = movable[rng.Next(movable.Count)];
            var below = inside.Where(h => h < key).DefaultIfEmpty(shard.HashStart).Max();
            at = below + 1 + (ulong)rng.NextInt64((long)(key - below));
        }
        else
        {
            at = shard.HashStart + 1 + (ulong)rng.NextInt64((long)(shard.HashEnd - shard.HashStart - 1));
        }

        return (shard, at, shard.ShardId == _freshChild);
    }

    // "k1,k3 move" or "k2 stays": which workload keys the split moves to the new shard.
    private string KeysIn(ShardDescriptor shard, ulong at)
    {
        var inside = Keys.Where(k => KeyHash.Of(Encoding.UTF8.GetBytes(k)) is var h && h >= shard.HashStart && h < shard.HashEnd).ToList();
        var moving = inside.Where(k => KeyHash.Of(Encoding.UTF8.GetBytes(k)) >= at).ToList();
        return moving.Count > 0 ? $"{string.Join(",", moving)} move" : $"{string.Join(",", inside)} stay";
    }

    // POST /cluster/shards/{id}/split {"at": hash} through a live silo; the status (0 without an answer) and body.
    private async Task<(HttpStatusCode Status, string Body)> PostSplitAsync(ulong shardId, ulong at)
    {
        var live = cluster.Silos.Where(s => s.Running && !s.Paused && !s.Removed).ToList();
        if (live.Count == 0)
        {
            return (0, "no live silo");
        }

        var via = live[rng.Next(live.Count)];
        try
        {
            using var body = new StringContent(string.Create(CultureInfo.InvariantCulture, $"{{\"at\":{at}}}"), Encoding.UTF8, "application/json");
            using var response = await _http.PostAsync(new Uri(via.HttpBase, string.Create(CultureInfo.InvariantCulture, $"cluster/shards/{shardId}/split")), body);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (0, e.GetType().Name);
        }
    }

    private static ulong? NewShardId(string answer)
    {
        try
        {
            using var json = JsonDocument.Parse(answer);
            return json.RootElement.TryGetProperty("newShard", out var added) && added.TryGetProperty("id", out var id) ? id.GetUInt64() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private enum SplitFollowUp
    {
        Transfer,
        Kill,
        Nothing,
    }
}
