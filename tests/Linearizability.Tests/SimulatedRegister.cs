using MultiRaft.Linearizability;

namespace MultiRaft.Linearizability.Tests;

/// <summary>
/// Generates linearizable histories by construction: each operation gets a linearization point
/// inside its [invoke, return] interval and is applied to a real register in that order, so the
/// answers are exactly what a correct store would give. Seeded: same seed, same history.
/// </summary>
internal static class SimulatedRegister
{
    public static List<Operation> Generate(
        int seed, int clients, int operationsPerClient, int keys, int unknownPercent = 1, int failedPercent = 1)
    {
        var random = new Random(seed);
        var planned = new List<(long Point, Operation Op, bool Applies)>();
        var id = 0;
        for (var client = 0; client < clients; client++)
        {
            long time = random.Next(0, 5);
            for (var i = 0; i < operationsPerClient; i++)
            {
                var duration = random.Next(1, 30);
                var invoke = time;
                var ret = invoke + duration;
                var point = invoke + random.NextInt64(0, duration + 1);
                var key = $"k{random.Next(keys)}";
                var roll = random.Next(100);
                var outcome = roll < unknownPercent ? Outcome.Unknown
                    : roll < unknownPercent + failedPercent ? Outcome.Failed
                    : Outcome.Ok;
                // An unknown operation took effect or not; a failed one never did.
                var applies = outcome == Outcome.Ok || (outcome == Outcome.Unknown && random.Next(2) == 0);
                var op = new Operation(id, client, key, default, default, outcome, invoke,
                    outcome == Outcome.Unknown ? long.MaxValue : ret);
                planned.Add((point, op, applies));
                id++;
                time = ret + random.Next(1, 5);
            }
        }

        var stores = new Dictionary<string, (bool Exists, string? Value, long Version)>();
        var history = new List<Operation>();
        foreach (var (_, op, applies) in planned.OrderBy(p => p.Point).ThenBy(p => p.Op.Id))
        {
            var current = stores.GetValueOrDefault(op.Key, (false, null, 0));
            var input = ChooseInput(random, current.Exists, current.Version, op.Id);
            var (next, output) = Apply(current, input);
            if (applies)
                stores[op.Key] = next;
            history.Add(op with { Input = input, Output = op.Outcome == Outcome.Ok ? output : default });
        }

        return [.. history.OrderBy(o => o.Id)];
    }

    // Inputs are chosen at the linearization point so that compare-and-sets hit the current
    // version about half the time; that is only a choice of test data, not knowledge of the future.
    private static KvInput ChooseInput(Random random, bool exists, long version, int id) => random.Next(10) switch
    {
        < 4 => KvInput.Get(),
        < 6 => KvInput.Put($"v{id}"),
        < 8 => KvInput.CompareAndSet(exists && random.Next(2) == 0 ? version : version - 1, $"v{id}"),
        8 => KvInput.Create($"v{id}"),
        _ => KvInput.Delete(),
    };

    private static ((bool Exists, string? Value, long Version) Next, KvOutput Output) Apply(
        (bool Exists, string? Value, long Version) current, KvInput input)
    {
        var written = (true, input.Value, current.Version + 1);
        return input.Kind switch
        {
            OperationKind.Get => (current, current.Exists ? KvOutput.Found(current.Value!, current.Version) : KvOutput.NotFound),
            OperationKind.Put => (written, KvOutput.Written(current.Version + 1)),
            OperationKind.CompareAndSet when current.Exists && current.Version == input.ExpectedVersion =>
                (written, KvOutput.Written(current.Version + 1)),
            OperationKind.Create when !current.Exists => (written, KvOutput.Written(current.Version + 1)),
            OperationKind.Delete => ((false, null, current.Version), current.Exists ? KvOutput.Deleted : KvOutput.NotFound),
            _ => (current, KvOutput.Rejected),
        };
    }
}
