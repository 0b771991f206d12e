namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>
/// No stale reads: a ReadState's index is at least the commit index any member knew when the
/// read was issued, and the state it is served from holds every write acknowledged by then.
/// </summary>
public sealed partial class InvariantChecker
{
    private readonly Dictionary<ulong, (ulong Commit, int Acknowledged)> _readIssued = [];
    private readonly Dictionary<ulong, (ulong Node, ulong Index)> _readAnswered = [];

    public int ReadsAnswered => _readAnswered.Count;

    public int ReadsServed { get; private set; }

    /// <summary>The member and index that answered a read, if any did.</summary>
    public bool TryGetAnswer(ulong requestId, out (ulong Node, ulong Index) answer) =>
        _readAnswered.TryGetValue(requestId, out answer);

    public void OnReadIssued(ulong requestId) =>
        _readIssued.Add(requestId, (GlobalCommit, _canonicalIds.Count));

    public void OnReadState(SimNode n, ReadState rs)
    {
        if (!_readIssued.TryGetValue(rs.RequestId, out var issued))
        {
            throw Fail($"member {n.Id} answered read {rs.RequestId}, which nobody issued");
        }

        if (rs.Index < issued.Commit)
        {
            throw Fail($"stale read {rs.RequestId} at member {n.Id}: index {rs.Index}, but {issued.Commit} was committed when it was issued");
        }

        _readAnswered.TryAdd(rs.RequestId, (n.Id, rs.Index));
    }

    public void OnReadServed(SimNode n, ReadState rs)
    {
        var issued = _readIssued[rs.RequestId];
        if (n.StateMachine.Count < issued.Acknowledged)
        {
            throw Fail($"read {rs.RequestId} served at member {n.Id} sees {n.StateMachine.Count} writes, {issued.Acknowledged} were acknowledged before it");
        }

        ReadsServed++;
    }
}
