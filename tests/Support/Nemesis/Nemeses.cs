using System.Globalization;
using System.Text;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Nemesis;

/// <summary>
/// Injects one fault at a time into a <see cref="ClusterHarness"/>, chosen with a seeded
/// <see cref="Random"/>, and heals it. Network faults need the harness's namespaces. Kills,
/// pauses and partitions take away only <see cref="ClusterHarness.FaultTargets"/>: under
/// development clustering never s1, which holds the membership table.
/// </summary>
public sealed partial class Nemeses(ClusterHarness cluster, Random rng, Action<string> log) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(3) };
    private readonly HashSet<int> _killed = [];
    private int _joined;
    private int _drained;
    private bool _firstTargetTaken;

    /// <summary>Aim kills, pauses and partitions at the silo leading the most shards.</summary>
    public bool TargetLeaders { get; init; }

    /// <summary>The silo id the first kill or pause takes away, or the first partition isolates (when it is a fault target).</summary>
    public string? FirstTarget { get; init; }

    /// <summary>At most this many silos join during a run (<see cref="NemesisKind.Join"/>); later joins do nothing.</summary>
    public int MaxJoins { get; init; } = 2;

    /// <summary>Whether <paramref name="kind"/> can run here (network faults need namespaces).</summary>
    public bool Supports(NemesisKind kind) => kind is not (NemesisKind.Partition or NemesisKind.Netem) || cluster.Lab is not null;

    /// <summary>Injects a fault of <paramref name="kind"/>, holds it for <paramref name="hold"/>, heals it; returns what it did.</summary>
    public async Task<string> RunAsync(NemesisKind kind, TimeSpan hold, CancellationToken cancellationToken)
    {
        var n = cluster.Silos.Count;
        switch (kind)
        {
            case NemesisKind.Kill:
            {
                var victim = await PickVictimAsync();
                cluster[victim].Kill9();
                _killed.Add(victim);
                await Task.Delay(hold, cancellationToken);
                cluster[victim].Start();
                _killed.Remove(victim);
                return $"kill -9 {Name(victim)}, restarted (pid {cluster[victim].Pid})";
            }

            case NemesisKind.Pause:
            {
                var victim = await PickVictimAsync();
                cluster[victim].Pause();
                try
                {
                    await Task.Delay(hold, cancellationToken);
                }
                finally
                {
                    cluster[victim].Resume();
                }

                return $"SIGSTOP {Name(victim)}, SIGCONT";
            }

            case NemesisKind.Partition:
            {
                var lab = cluster.Lab ?? throw new InvalidOperationException("partitions need network namespaces");
                // Only fault targets are cut off from the rest: the membership primary (if any)
                // stays on the majority side, or in the middle of a bridge.
                var targets = cluster.FaultTargets.OrderBy(_ => rng.Next()).ToList();
                var everyone = Enumerable.Range(0, n).ToList();
                string what;
                var first = TakeFirstTarget();
                if (first is { } f)
                {
                    targets.Remove(f);
                    targets.Insert(0, f);
                }

                switch (first is not null ? 0 : TargetLeaders ? 2 : rng.Next(4))
                {
                    case 0:
                        lab.Cut([targets[0]], everyone);
                        what = $"isolate {Name(targets[0])}";
                        break;
                    case 1:
                    {
                        var minority = targets.Take((n - 1) / 2).ToList();
                        var majority = everyone.Except(minority).ToList();
                        lab.Cut(minority, majority);
                        what = $"split minority {Names(minority)} | majority {Names(majority)}";
                        break;
                    }

                    case 2:
                    {
                        var leader = await BusiestLeaderAsync();
                        lab.Cut([leader], everyone);
                        what = $"isolate the busiest leader {Name(leader)}";
                        break;
                    }

                    default:
                    {
                        // A bridge: two halves that cannot talk, and one silo in the middle that sees both.
                        var middle = cluster.MembershipPrimary ?? targets[0];
                        var rest = everyone.Where(i => i != middle).OrderBy(_ => rng.Next()).ToList();
                        var left = rest.Where((_, i) => i % 2 == 0).ToList();
                        var right = rest.Where((_, i) => i % 2 == 1).ToList();
                        lab.Cut(left, right);
                        what = $"bridge {Names(left)} <-> {Name(middle)} <-> {Names(right)}";
                        break;
                    }
                }

                try
                {
                    await Task.Delay(hold, cancellationToken);
                }
                finally
                {
                    lab.HealAll();
                }

                return what + ", healed";
            }

            case NemesisKind.Netem:
            {
                var lab = cluster.Lab ?? throw new InvalidOperationException("netem needs network namespaces");
                var victims = rng.Next(2) == 0 ? [rng.Next(n)] : Enumerable.Range(0, n).ToList();
                var loss = 10 + rng.Next(3) * 10;
                var delay = 10 + rng.Next(5) * 10;
                var how = "";
                foreach (var v in victims)
                {
                    how = lab.Netem(v, loss, delay);
                }

                try
                {
                    await Task.Delay(hold, cancellationToken);
                }
                finally
                {
                    lab.HealAll();
                }

                return $"{how} on {Names(victims)}, removed";
            }

            case NemesisKind.Drain:
                return await DrainOneAsync(hold, cancellationToken);

            case NemesisKind.Split:
                return await SplitAsync(hold, cancellationToken);

            case NemesisKind.Join:
            {
                if (_joined >= MaxJoins)
                {
                    await Task.Delay(hold, cancellationToken);
                    return $"no join: already {MaxJoins} extra silos";
                }

                var id = string.Create(CultureInfo.InvariantCulture, $"j{++_joined}");
                var silo = cluster.AddJoiningSilo(id);
                await Task.Delay(hold, cancellationToken);
                // Healing keeps the new silo: from here on it counts in the health wait like the others.
                var registered = await WaitRegisteredAsync(id, TimeSpan.FromSeconds(10), cancellationToken);
                return $"{id} joined {cluster.JoinPath} at {silo.Host} (pid {silo.Pid}), "
                    + (registered ? "registered, kept" : "NOT in the view 10 s after the fault, kept");
            }

            default:
            {
                var done = new StringBuilder();
                var until = DateTime.UtcNow + hold;
                while (DateTime.UtcNow < until)
                {
                    done.Append(await TransferOneAsync()).Append("; ");
                    await Task.Delay(TimeSpan.FromMilliseconds(300 + rng.Next(500)), cancellationToken);
                }

                return done.ToString().TrimEnd(' ', ';');
            }
        }
    }

    /// <summary>Heals everything: resumes paused silos, restarts killed ones, removes partitions and netem.</summary>
    public void HealAll()
    {
        cluster.Lab?.HealAll();
        for (var i = 0; i < cluster.Silos.Count; i++)
        {
            cluster[i].Resume();
            if (!cluster[i].Running && !cluster[i].Removed)
            {
                log($"restarting {Name(i)}, found dead at the end");
                cluster[i].Start();
            }
        }

        _killed.Clear();
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private string Name(int i) => cluster[i].SiloId;

    private string Names(IEnumerable<int> silos) => "{" + string.Join(",", silos.Select(Name)) + "}";

    // Half the time the fault target leading the most shards (the fault that matters most), else any fault target.
    private async Task<int> PickVictimAsync()
    {
        if (TakeFirstTarget() is { } first)
        {
            return first;
        }

        if (TargetLeaders || rng.Next(2) == 0)
        {
            return await BusiestLeaderAsync();
        }

        var targets = cluster.FaultTargets;
        return targets[rng.Next(targets.Count)];
    }

    // The FirstTarget's index, once, if it is a fault target.
    private int? TakeFirstTarget()
    {
        if (_firstTargetTaken || FirstTarget is null)
        {
            return null;
        }

        _firstTargetTaken = true;
        var i = cluster.IndexOf(FirstTarget);
        return cluster.FaultTargets.Contains(i) ? i : null;
    }

    // Among the fault targets (never the membership primary of development clustering).
    private async Task<int> BusiestLeaderAsync()
    {
        var targets = cluster.FaultTargets;
        var counts = (await cluster.LeaderCountsAsync()).Where(c => targets.Contains(cluster.IndexOf(c.Key))).ToList();
        var max = counts.Select(c => c.Value).DefaultIfEmpty(0).Max();
        var busiest = counts.Where(c => c.Value == max).Select(c => cluster.IndexOf(c.Key)).OrderBy(i => i).ToList();
        return busiest.Count > 0 ? busiest[rng.Next(busiest.Count)] : targets[rng.Next(targets.Count)];
    }

    private async Task<bool> WaitRegisteredAsync(string siloId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if ((await cluster.TryViewAsync())?.Silos.Any(s => s.SiloId == siloId) == true)
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    // Joins a silo, lets the balancer fill it for the hold, then drains and removes it.
    private async Task<string> DrainOneAsync(TimeSpan hold, CancellationToken cancellationToken)
    {
        var id = string.Create(CultureInfo.InvariantCulture, $"d{++_drained}");
        var silo = cluster.AddJoiningSilo(id);
        await Task.Delay(hold, cancellationToken);
        if (!await WaitRegisteredAsync(id, TimeSpan.FromSeconds(20), cancellationToken))
        {
            return $"{id} joined but is not in the view 20 s later; kept";
        }

        // The balancer moves replicas onto it: a drain of an empty silo would test little.
        var held = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (held == 0 && DateTime.UtcNow < deadline)
        {
            var view = await cluster.TryViewAsync();
            held = view?.Shards.Where(s => s.ShardId != 0).Count(s => s.Replicas.Any(r => r.SiloId == id)) ?? 0;
            await Task.Delay(held == 0 ? 200 : 0, cancellationToken);
        }

        var via = cluster[0];
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string answer;
        // Draining is idempotent: asked again until the silo holds no data replica.
        while (true)
        {
            answer = await SendAsync(HttpMethod.Post, new Uri(via.HttpBase, $"cluster/silos/{id}/drain"));
            if (answer.Contains("\"replicasLeft\":0", StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(500, cancellationToken);
        }

        if (!answer.Contains("\"replicasLeft\":0", StringComparison.Ordinal))
        {
            return $"{id} joined (held {held} replicas), drain not done within 60 s: {answer}; kept";
        }

        silo.MarkRemoved();
        var removed = await SendAsync(HttpMethod.Delete, new Uri(via.HttpBase, $"cluster/silos/{id}"));
        return $"{id} joined, held {held} replicas, drained, removed: {removed}";
    }

    private async Task<string> SendAsync(HttpMethod method, Uri uri)
    {
        try
        {
            using var request = new HttpRequestMessage(method, uri);
            using var response = await _http.SendAsync(request);
            return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}".Trim();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return e.GetType().Name;
        }
    }

    private async Task<string> TransferOneAsync()
    {
        var view = await cluster.TryViewAsync();
        var shards = view?.Shards.Where(s => s.ShardId != 0).ToList() ?? [];
        if (view is null || shards.Count == 0)
        {
            return "no view";
        }

        return await TransferLeaderAsync(view, shards[rng.Next(shards.Count)]);
    }

    // Moves the shard's leadership to a random other replica, through a random silo's HTTP API.
    private async Task<string> TransferLeaderAsync(ClusterView view, ShardDescriptor shard)
    {
        var leader = view.Leaders.FirstOrDefault(l => l.ShardId == shard.ShardId)?.SiloId;
        var targets = shard.Replicas.Select(r => r.SiloId).Where(s => s != leader).ToList();
        if (targets.Count == 0)
        {
            return $"shard {shard.ShardId}: no other replica";
        }

        var to = targets[rng.Next(targets.Count)];
        var via = cluster[rng.Next(cluster.Silos.Count)];
        try
        {
            using var body = new StringContent($"{{\"to\":\"{to}\"}}", Encoding.UTF8, "application/json");
            using var response = await _http.PostAsync(new Uri(via.HttpBase, string.Create(CultureInfo.InvariantCulture, $"cluster/shards/{shard.ShardId}/transfer-leader")), body);
            return $"shard {shard.ShardId} {leader}->{to}: {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"shard {shard.ShardId} {leader}->{to}: {e.GetType().Name}";
        }
    }
}
