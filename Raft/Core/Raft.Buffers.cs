namespace MultiRaft.Raft;

/// <summary>
/// Giving memory back. Buffers start empty and grow with traffic; a silo hosts thousands of
/// members and most of them are idle, so an idle member releases what its busy spells grew.
/// </summary>
internal sealed partial class Raft
{
    /// <summary>Releases every empty buffer (one that holds something is kept as it is).</summary>
    public void TrimBuffers()
    {
        Log.TrimBuffers();
        foreach (var id in Tracker.Ids)
        {
            Tracker.Progress[id].Inflights.TrimExcess();
        }

        ReleaseIfEmpty(Msgs);
        ReleaseIfEmpty(MsgsAfterAppend);
        ReleaseIfEmpty(ReadStates);
        TrimReadBuffers();
    }

    private static void ReleaseIfEmpty<T>(List<T> list)
    {
        if (list.Count == 0)
        {
            list.Capacity = 0;
        }
    }
}
