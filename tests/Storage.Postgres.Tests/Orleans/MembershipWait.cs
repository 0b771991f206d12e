using Orleans.Runtime;

namespace MultiRaft.Storage.Postgres.Tests.Orleans;

/// <summary>
/// Waits on a silo's own membership notifications (not a poll) until its view satisfies a
/// condition, for at most a bound; past it, fails with the view it had.
/// </summary>
internal static class MembershipWait
{
    public static async Task<ClusterMembershipSnapshot> UntilAsync(IClusterMembershipService membership,
        Func<ClusterMembershipSnapshot, bool> done, TimeSpan bound, string what)
    {
        using var stop = new CancellationTokenSource();
        var first = FirstAsync(membership, done, stop.Token);
        try
        {
            return await first.WaitAsync(bound);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"within {bound}, {what} did not happen; the view was: {Describe(membership.CurrentSnapshot)}");
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    /// <summary>The view as "name=Status" by silo name, sorted: exact enough to compare.</summary>
    public static string Describe(ClusterMembershipSnapshot snapshot) =>
        string.Join(",", snapshot.Members.Values.Select(m => $"{m.Name}={m.Status}").Order(StringComparer.Ordinal));

    private static async Task<ClusterMembershipSnapshot> FirstAsync(IClusterMembershipService membership,
        Func<ClusterMembershipSnapshot, bool> done, CancellationToken ct)
    {
        if (done(membership.CurrentSnapshot))
        {
            return membership.CurrentSnapshot;
        }

        await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(ct))
        {
            if (done(snapshot))
            {
                return snapshot;
            }
        }

        throw new InvalidOperationException("the membership updates ended");
    }
}
