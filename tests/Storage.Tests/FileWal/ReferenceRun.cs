using MultiRaft.Raft;

namespace MultiRaft.Storage.Tests.FileWal;

/// <summary>
/// A sequence of storage operations applied both to a provider under test and to the
/// reference <see cref="InMemoryStorageProvider"/>, keeping the reference's state after every
/// operation so a recovered state can be matched against "the first i operations".
/// </summary>
internal sealed class ReferenceRun
{
    private readonly List<Func<IStorageProvider, bool, Task<bool>>> _ops = [];

    public int Count => _ops.Count;

    /// <summary>Appends durably, or only enqueues when <paramref name="wait"/> is false.</summary>
    public ReferenceRun Append(ReplicaId r, HardState? hs, Entry[] entries, bool wait = true)
    {
        _ops.Add(async (p, isReference) =>
        {
            var position = p.Append(r, hs, entries);
            if (wait || isReference)
            {
                await p.WaitDurableAsync(position, WalKit.Ct);
            }

            return wait;
        });
        return this;
    }

    public ReferenceRun Save(ReplicaId r, Snapshot s)
    {
        _ops.Add(async (p, _) =>
        {
            await p.SaveSnapshotAsync(r, s, WalKit.Ct);
            return true;
        });
        return this;
    }

    public ReferenceRun Install(ReplicaId r, Snapshot s)
    {
        _ops.Add(async (p, _) =>
        {
            await p.InstallSnapshotAsync(r, s, WalKit.Ct);
            return true;
        });
        return this;
    }

    public ReferenceRun Compact(ReplicaId r, ulong index)
    {
        _ops.Add(async (p, _) =>
        {
            await p.CompactAsync(r, index, WalKit.Ct);
            return true;
        });
        return this;
    }

    public ReferenceRun Delete(ReplicaId r)
    {
        _ops.Add(async (p, _) =>
        {
            await p.DeleteReplicaAsync(r, WalKit.Ct);
            return true;
        });
        return this;
    }

    /// <summary>The reference's recovered state after each prefix: element i is the state after i operations.</summary>
    public async Task<List<IReadOnlyList<RecoveredReplica>>> ReferenceStatesAsync()
    {
        var reference = new InMemoryStorageProvider();
        var states = new List<IReadOnlyList<RecoveredReplica>> { await reference.RecoverAsync(WalKit.Ct) };
        foreach (var op in _ops)
        {
            await op(reference, true);
            states.Add(await reference.RecoverAsync(WalKit.Ct));
        }

        return states;
    }

    /// <summary>
    /// Runs the operations from <paramref name="from"/> up to <paramref name="stopAfter"/> in order, stopping early at the first
    /// <see cref="StorageFaultException"/>. Returns how many are acknowledged (everything up to the
    /// last operation that waited for durability) and how many were started: a recovered state
    /// must equal the reference after some count in between.
    /// </summary>
    public async Task<(int Acknowledged, int Started)> RunAsync(IStorageProvider p, int stopAfter = int.MaxValue, int from = 0)
    {
        var acknowledged = from;
        var started = from;
        for (var i = from; i < _ops.Count && i < stopAfter; i++)
        {
            started = i + 1;
            try
            {
                if (await _ops[i](p, false))
                {
                    acknowledged = i + 1;
                }
            }
            catch (StorageFaultException)
            {
                break;
            }
        }

        return (acknowledged, started);
    }

    /// <summary>Whether <paramref name="actual"/> equals one of the states from index <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static int MatchingPrefix(List<IReadOnlyList<RecoveredReplica>> states, int from, int to, IReadOnlyDictionary<ReplicaId, RecoveredReplica> actual)
    {
        for (var i = from; i <= to; i++)
        {
            try
            {
                WalKit.AssertSameState(states[i], actual);
                return i;
            }
            catch (Xunit.Sdk.XunitException)
            {
                // not this prefix
            }
        }

        return -1;
    }
}
