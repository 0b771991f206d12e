using System.Globalization;
using MultiRaft.Cluster.TestingHost.Tests;
using Orleans.Runtime;
using Orleans.Storage;

namespace MultiRaft.GrainStorage.Tests;

/// <summary>
/// Orleans' grain storage contract on a three-silo cluster, through grains with
/// <c>[PersistentState]</c> and through the providers themselves. The tests share one cluster and
/// each uses grain ids of its own.
/// </summary>
public sealed class GrainStorageTests(StorageClusterFixture fixture) : IClassFixture<StorageClusterFixture>
{
    private MultiRaftTestCluster Cluster => fixture.Cluster;

    private static ulong Version(string? eTag) => ulong.Parse(eTag!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_state_never_written_reads_as_a_new_state_without_etag_or_record()
    {
        var grain = Cluster.Grains("Silo_0").GetGrain<INoteGrain>("never-written");
        Assert.Equal(new NoteView("", null, false, "Silo_0"), await grain.Get());

        var state = new GrainState<Note>(new Note { Text = "left over" }, "17") { RecordExists = true };
        await Cluster.Storage("Silo_1").ReadStateAsync(NoteGrain.StateName, GrainId.Create("notegrain", "never-written-2"), state);
        Assert.Equal("", state.State!.Text);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
    }

    [Fact]
    public async Task A_grain_reads_back_its_writes_and_its_etag_is_the_stored_version()
    {
        var grain = Cluster.Grains("Silo_0").GetGrain<INoteGrain>("reads-back");
        var first = await grain.Write("one");
        Assert.True(first.RecordExists);
        Assert.Equal(("one", first.ETag), await StoredTextAsync(grain));

        var second = await grain.Write("two");
        Assert.True(Version(second.ETag) > Version(first.ETag));
        Assert.Equal(("two", second.ETag), await StoredTextAsync(grain));

        // A new activation reads it from the store.
        await Cluster.Orleans.DeactivateAsync(grain);
        Assert.Equal(new NoteView("two", second.ETag, true, "Silo_0"), await grain.Get());
    }

    [Fact]
    public async Task A_grain_activated_on_another_silo_sees_the_latest_state()
    {
        var onSilo0 = Cluster.Grains("Silo_0").GetGrain<INoteGrain>("moves");
        await onSilo0.Write("first");
        var written = await onSilo0.Write("latest");
        Assert.Equal("Silo_0", written.Silo);
        await Cluster.Orleans.DeactivateAsync(onSilo0);

        var onSilo2 = Cluster.Grains("Silo_2").GetGrain<INoteGrain>("moves");
        Assert.Equal(new NoteView("latest", written.ETag, true, "Silo_2"), await onSilo2.Get());
    }

    [Fact]
    public async Task Of_two_writers_with_the_same_etag_one_wins_and_the_other_gets_InconsistentStateException()
    {
        var id = GrainId.Create("notegrain", "race");
        string? shared = null;
        // First both create (no ETag: create-only), then both update the winner's version.
        foreach (var round in new[] { "create", "update" })
        {
            var a = new GrainState<Note>(new Note { Text = $"{round} by a" }, shared) { RecordExists = shared is not null };
            var b = new GrainState<Note>(new Note { Text = $"{round} by b" }, shared) { RecordExists = shared is not null };
            var outcomes = await Task.WhenAll(AttemptAsync(Cluster.Storage("Silo_0"), a), AttemptAsync(Cluster.Storage("Silo_1"), b));

            var winner = Assert.Single(outcomes, o => o.Conflict is null);
            var loser = Assert.Single(outcomes, o => o.Conflict is not null);
            Assert.NotEqual(shared, winner.State.ETag);
            Assert.True(winner.State.RecordExists);
            Assert.Equal(winner.State.ETag, loser.Conflict!.StoredEtag);
            Assert.Equal(shared, loser.Conflict.CurrentEtag);
            // The loser's state is as it was.
            Assert.Equal(shared, loser.State.ETag);
            Assert.Equal(shared is not null, loser.State.RecordExists);
            Assert.Equal((winner.State.State!.Text, winner.State.ETag), await StoredTextAsync(id));
            shared = winner.State.ETag;
        }
    }

    [Fact]
    public async Task A_conflict_in_a_grain_reaches_its_caller_as_InconsistentStateException()
    {
        var grain = Cluster.Grains("Silo_0").GetGrain<INoteGrain>("conflicted");
        var mine = await grain.Write("mine");

        // Another writer (a second activation, say) moves the state on.
        var theirs = new GrainState<Note>(new Note(), null);
        var storage = Cluster.Storage("Silo_1");
        await storage.ReadStateAsync(NoteGrain.StateName, grain.GetGrainId(), theirs);
        theirs.State!.Text = "theirs";
        await storage.WriteStateAsync(NoteGrain.StateName, grain.GetGrainId(), theirs);

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => grain.Write("stale"));
        Assert.Equal(theirs.ETag, conflict.StoredEtag);
        Assert.Equal(mine.ETag, conflict.CurrentEtag);
        Assert.Equal(("theirs", theirs.ETag), await StoredTextAsync(grain));
        Assert.Equal(new NoteView("theirs", theirs.ETag, true, "Silo_0"), await grain.Reload());
    }

    [Fact]
    public async Task Clearing_deletes_the_state_and_leaves_no_etag_and_no_record()
    {
        var grain = Cluster.Grains("Silo_1").GetGrain<INoteGrain>("cleared");
        var written = await grain.Write("to be cleared");
        Assert.Equal(new NoteView("", null, false, "Silo_1"), await grain.Clear());
        Assert.Null(await Cluster.StoredAsync(grain.GetGrainId()));

        await Cluster.Orleans.DeactivateAsync(grain);
        Assert.Equal(new NoteView("", null, false, "Silo_1"), await grain.Get());
        // Written again, it is created anew with a later version.
        var again = await grain.Write("again");
        Assert.True(Version(again.ETag) > Version(written.ETag));
        Assert.Equal(("again", again.ETag), await StoredTextAsync(grain));
    }

    [Fact]
    public async Task Clearing_is_conditional_on_the_etag()
    {
        var id = GrainId.Create("notegrain", "clear-conditions");
        var storage = Cluster.Storage("Silo_2");
        var current = new GrainState<Note>(new Note { Text = "v1" }, null);
        await storage.WriteStateAsync(NoteGrain.StateName, id, current);
        var stale = current.ETag;
        current.State!.Text = "v2";
        await storage.WriteStateAsync(NoteGrain.StateName, id, current);

        // An old ETag, and no ETag while a state is stored, are both conflicts; nothing is deleted.
        foreach (var eTag in new[] { stale, null })
        {
            var state = new GrainState<Note>(new Note(), eTag) { RecordExists = eTag is not null };
            var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(NoteGrain.StateName, id, state));
            Assert.Equal((current.ETag, eTag), (conflict.StoredEtag, conflict.CurrentEtag));
            Assert.Equal(eTag, state.ETag);
        }

        Assert.Equal(("v2", current.ETag), await StoredTextAsync(id));
        await storage.ClearStateAsync(NoteGrain.StateName, id, current);
        Assert.Equal((null, false), (current.ETag, current.RecordExists));

        // With nothing stored, a clear without an ETag has nothing to do and succeeds; one with an ETag conflicts.
        await storage.ClearStateAsync(NoteGrain.StateName, id, new GrainState<Note>(new Note(), null));
        var gone = await Assert.ThrowsAsync<InconsistentStateException>(() =>
            storage.ClearStateAsync(NoteGrain.StateName, id, new GrainState<Note>(new Note(), stale)));
        Assert.Equal((null, stale), (gone.StoredEtag, gone.CurrentEtag));
    }

    [Fact]
    public async Task A_state_over_the_limit_is_refused_and_nothing_is_written()
    {
        var grain = Cluster.Grains("Silo_0").GetGrain<INoteGrain>("too-large");
        var tooLarge = await Assert.ThrowsAsync<GrainStateTooLargeException>(() => grain.Write("big", blobBytes: StorageCluster.MaxStateBytes));
        Assert.Equal(StorageCluster.MaxStateBytes, tooLarge.MaxStateBytes);
        Assert.True(tooLarge.StateBytes > StorageCluster.MaxStateBytes, $"{tooLarge.StateBytes} bytes");
        Assert.Null(await Cluster.StoredAsync(grain.GetGrainId()));
        Assert.Equal(new NoteView("big", null, false, "Silo_0"), await grain.Get());

        var small = await grain.Write("small", blobBytes: 100);
        Assert.Equal(("small", small.ETag), await StoredTextAsync(grain));
    }

    [Fact]
    public async Task The_default_provider_keeps_a_grain_with_a_long_key_under_a_hashed_key()
    {
        var longKey = new string('k', 2000);
        var grain = Cluster.Grains("Silo_1").GetGrain<IDefaultNoteGrain>(longKey);
        var written = await grain.Write("long");
        var key = System.Text.Encoding.UTF8.GetString(GrainStateKey.Of("Default", NoteGrain.StateName, grain.GetGrainId(), MultiRaftGrainStorageOptions.DefaultMaxKeyBytes));
        Assert.StartsWith("grain-state/7:Default/", key);
        Assert.Contains("/4:note/#", key);
        Assert.Equal(("long", written.ETag), await StoredTextAsync(grain.GetGrainId(), "Default"));

        await Cluster.Orleans.DeactivateAsync(grain);
        Assert.Equal(new NoteView("long", written.ETag, true, "Silo_1"), await grain.Get());
    }

    private Task<(string Text, string? ETag)> StoredTextAsync(INoteGrain grain) => StoredTextAsync(grain.GetGrainId());

    private async Task<(string Text, string? ETag)> StoredTextAsync(GrainId id, string provider = NoteGrain.StorageName) =>
        await Cluster.StoredAsync(id, provider) is { } stored ? (stored.Note.Text, stored.ETag) : ("(nothing stored)", null);

    private static async Task<(GrainState<Note> State, InconsistentStateException? Conflict)> AttemptAsync(IGrainStorage storage, GrainState<Note> state)
    {
        try
        {
            await storage.WriteStateAsync(NoteGrain.StateName, GrainId.Create("notegrain", "race"), state);
            return (state, null);
        }
        catch (InconsistentStateException ex)
        {
            return (state, ex);
        }
    }
}
