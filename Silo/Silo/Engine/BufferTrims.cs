namespace MultiRaft.Silo.Engine;

/// <summary>
/// Replicas that went quiet, handed back to be trimmed once they have slept a while (worker only).
/// A replica that quiets between two writes would give its buffers back and grow them again at the
/// next one; waiting a few seconds spares that, and an idle replica still holds no buffers for long.
/// Oldest first, so each tick looks only at the replicas that are due; a replica that woke since it
/// was planned is passed over (its generation moved).
/// </summary>
/// <typeparam name="T">The replica.</typeparam>
/// <param name="delayTicks">How many ticks a replica sleeps before its trim.</param>
internal sealed class BufferTrims<T>(long delayTicks)
{
    private readonly Queue<(T Replica, long Generation, long DueTick)> _planned = new();

    /// <summary>Replicas planned and not yet due or passed over.</summary>
    public int Count => _planned.Count;

    /// <summary>Plans the trim of <paramref name="replica"/>, which went quiet as <paramref name="generation"/> at <paramref name="tick"/>.</summary>
    public void Plan(T replica, long generation, long tick) => _planned.Enqueue((replica, generation, tick + delayTicks));

    /// <summary>
    /// Hands each replica due by <paramref name="tick"/> to <paramref name="trim"/> if
    /// <paramref name="asleepSince"/> says it slept through since its generation; forgets the rest of the due ones.
    /// </summary>
    public void TakeDue(long tick, Func<T, long, bool> asleepSince, Action<T> trim)
    {
        ArgumentNullException.ThrowIfNull(asleepSince);
        ArgumentNullException.ThrowIfNull(trim);
        while (_planned.TryPeek(out var p) && p.DueTick <= tick)
        {
            _planned.Dequeue();
            if (asleepSince(p.Replica, p.Generation))
            {
                trim(p.Replica);
            }
        }
    }
}
