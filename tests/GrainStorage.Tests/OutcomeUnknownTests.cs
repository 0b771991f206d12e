using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MultiRaft.Client;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace MultiRaft.GrainStorage.Tests;

/// <summary>
/// A write or clear whose answer is lost surfaces as <see cref="GrainStateOutcomeUnknownException"/>
/// and leaves the grain's state as it was; retrying the same call then does exactly what the
/// provider's documentation promises, whether the lost attempt applied or not.
/// </summary>
public sealed class OutcomeUnknownTests
{
    private const string State = NoteGrain.StateName;
    private static readonly GrainId Id = GrainId.Create("notegrain", "retried");
    private readonly LossyStore _store = new();
    private readonly MultiRaftGrainStorage _storage;

    public OutcomeUnknownTests()
    {
        var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        _storage = new MultiRaftGrainStorage("store", new MultiRaftGrainStorageOptions(), _store.NewClient(),
            new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()), services.GetRequiredService<IActivatorProvider>(),
            NullLogger<MultiRaftGrainStorage>.Instance);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_retried_write_whose_lost_attempt_applied_conflicts_and_a_read_shows_the_grains_own_state(bool firstWrite)
    {
        var state = await StateAsync(firstWrite);
        var before = (state.ETag, state.RecordExists);
        state.State!.Text = "mine";
        _store.NextWrite = NextWrite.AppliedAnswerLost;
        var unknown = await Assert.ThrowsAsync<GrainStateOutcomeUnknownException>(() => _storage.WriteStateAsync(State, Id, state));
        Assert.IsType<OutcomeUnknownException>(unknown.InnerException);
        Assert.Equal(before, (state.ETag, state.RecordExists));

        // The retry cannot apply a second time: the key is no longer at the grain's ETag.
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(State, Id, state));
        Assert.Equal(before.ETag, conflict.CurrentEtag);
        var read = await ReadAsync();
        Assert.Equal(("mine", conflict.StoredEtag, true), (read.State!.Text, read.ETag, read.RecordExists));
        Assert.NotNull(conflict.StoredEtag);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_retried_write_whose_lost_attempt_did_not_apply_applies_once(bool firstWrite)
    {
        var state = await StateAsync(firstWrite);
        var before = (state.ETag, state.RecordExists);
        state.State!.Text = "mine";
        _store.NextWrite = NextWrite.NotAppliedAnswerLost;
        await Assert.ThrowsAsync<GrainStateOutcomeUnknownException>(() => _storage.WriteStateAsync(State, Id, state));
        Assert.Equal(before, (state.ETag, state.RecordExists));

        var writes = _store.Writes;
        await _storage.WriteStateAsync(State, Id, state);
        Assert.Equal(writes + 1, _store.Writes);
        var read = await ReadAsync();
        Assert.Equal(("mine", state.ETag, true), (read.State!.Text, read.ETag, read.RecordExists));
    }

    [Fact]
    public async Task A_retried_clear_whose_lost_attempt_applied_conflicts_and_a_read_finds_nothing()
    {
        var state = await StateAsync(firstWrite: false);
        var eTag = state.ETag;
        _store.NextWrite = NextWrite.AppliedAnswerLost;
        await Assert.ThrowsAsync<GrainStateOutcomeUnknownException>(() => _storage.ClearStateAsync(State, Id, state));
        Assert.Equal((eTag, true, "v1"), (state.ETag, state.RecordExists, state.State!.Text));

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync(State, Id, state));
        Assert.Equal((null, eTag), (conflict.StoredEtag, conflict.CurrentEtag));
        var read = await ReadAsync();
        Assert.Equal(("", null, false), (read.State!.Text, read.ETag, read.RecordExists));
    }

    // A grain's state before the write under test: never written, or written once as "v1".
    private async Task<GrainState<Note>> StateAsync(bool firstWrite)
    {
        var state = await ReadAsync();
        if (!firstWrite)
        {
            state.State!.Text = "v1";
            await _storage.WriteStateAsync(State, Id, state);
        }

        return state;
    }

    private async Task<GrainState<Note>> ReadAsync()
    {
        var state = new GrainState<Note>();
        await _storage.ReadStateAsync(State, Id, state);
        return state;
    }
}
