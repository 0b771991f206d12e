namespace MultiRaft.GrainStorage.Bench;

[GenerateSerializer]
public sealed class BenchState
{
    [Id(0)]
    public byte[] Payload { get; set; } = [];

    [Id(1)]
    public long Writes { get; set; }
}

public interface IBenchGrain : IGrainWithIntegerKey
{
    /// <summary>Writes the grain's state with a payload of <paramref name="bytes"/> bytes.</summary>
    Task Write(int bytes);
}

/// <summary>Keeps its state in the provider named <see cref="Storage"/>, whichever it is in this run.</summary>
public sealed class BenchGrain([PersistentState("state", BenchGrain.Storage)] IPersistentState<BenchState> state) : Grain, IBenchGrain
{
    public const string Storage = "bench";

    public async Task Write(int bytes)
    {
        if (state.State.Payload.Length != bytes)
        {
            state.State.Payload = new byte[bytes];
            Random.Shared.NextBytes(state.State.Payload);
        }

        state.State.Writes++;
        await state.WriteStateAsync();
    }
}
