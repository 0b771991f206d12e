using MultiRaft.Linearizability;

namespace MultiRaft.Linearizability.Tests;

/// <summary>Writes histories by hand: one method per kind of answer, ids in call order.</summary>
internal sealed class HistoryBuilder
{
    private readonly List<Operation> _operations = [];

    public IReadOnlyList<Operation> Operations => _operations;

    public Operation Put(int client, long invoke, long ret, string value, long version, string key = "x") =>
        Add(client, key, KvInput.Put(value), KvOutput.Written(version), Outcome.Ok, invoke, ret);

    public Operation PutUnknown(int client, long invoke, string value, string key = "x") =>
        Add(client, key, KvInput.Put(value), default, Outcome.Unknown, invoke, long.MaxValue);

    public Operation PutFailed(int client, long invoke, long ret, string value, string key = "x") =>
        Add(client, key, KvInput.Put(value), default, Outcome.Failed, invoke, ret);

    public Operation Get(int client, long invoke, long ret, string value, long version, string key = "x") =>
        Add(client, key, KvInput.Get(), KvOutput.Found(value, version), Outcome.Ok, invoke, ret);

    public Operation GetNone(int client, long invoke, long ret, string key = "x") =>
        Add(client, key, KvInput.Get(), KvOutput.NotFound, Outcome.Ok, invoke, ret);

    /// <summary>A compare-and-set; <paramref name="newVersion"/> null means it was rejected.</summary>
    public Operation Cas(int client, long invoke, long ret, long expected, string value, long? newVersion, string key = "x") =>
        Add(client, key, KvInput.CompareAndSet(expected, value),
            newVersion is { } v ? KvOutput.Written(v) : KvOutput.Rejected, Outcome.Ok, invoke, ret);

    public Operation CasUnknown(int client, long invoke, long expected, string value, string key = "x") =>
        Add(client, key, KvInput.CompareAndSet(expected, value), default, Outcome.Unknown, invoke, long.MaxValue);

    /// <summary>A create-only write; <paramref name="newVersion"/> null means the key existed.</summary>
    public Operation Create(int client, long invoke, long ret, string value, long? newVersion, string key = "x") =>
        Add(client, key, KvInput.Create(value),
            newVersion is { } v ? KvOutput.Written(v) : KvOutput.Rejected, Outcome.Ok, invoke, ret);

    public Operation Delete(int client, long invoke, long ret, bool existed, string key = "x") =>
        Add(client, key, KvInput.Delete(), existed ? KvOutput.Deleted : KvOutput.NotFound, Outcome.Ok, invoke, ret);

    public CheckResult Check(CheckOptions? options = null) => LinearizabilityChecker.Check(_operations, options);

    private Operation Add(int client, string key, KvInput input, KvOutput output, Outcome outcome, long invoke, long ret)
    {
        var op = new Operation(_operations.Count, client, key, input, output, outcome, invoke, ret);
        _operations.Add(op);
        return op;
    }
}
