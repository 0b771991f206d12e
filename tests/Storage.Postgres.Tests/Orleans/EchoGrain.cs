using Orleans;
using Orleans.Runtime;

namespace MultiRaft.Storage.Postgres.Tests.Orleans;

/// <summary>A grain that says which silo answered, so a test can tell a call reached the cluster.</summary>
public interface IEchoGrain : IGrainWithIntegerKey
{
    Task<string> Echo(string text);
}

public sealed class EchoGrain(ILocalSiloDetails silo) : Grain, IEchoGrain
{
    public Task<string> Echo(string text) => Task.FromResult($"{text} from {silo.Name}");
}
