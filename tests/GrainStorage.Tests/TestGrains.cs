using Orleans.Placement;
using Orleans.Runtime;

namespace MultiRaft.GrainStorage.Tests;

/// <summary>The state the test grains keep.</summary>
[GenerateSerializer]
public sealed class Note
{
    [Id(0)]
    public string Text { get; set; } = "";

    [Id(1)]
    public byte[] Blob { get; set; } = [];
}

/// <summary>What a test grain's state is, as the grain holds it, and where the grain runs.</summary>
[GenerateSerializer]
public sealed record NoteView(
    [property: Id(0)] string Text,
    [property: Id(1)] string? ETag,
    [property: Id(2)] bool RecordExists,
    [property: Id(3)] string Silo);

/// <summary>A grain with one persistent state; it activates on the silo whose grain factory called it first.</summary>
public interface INote : IGrainWithStringKey
{
    Task<NoteView> Get();

    Task<NoteView> Write(string text, int blobBytes = 0);

    Task<NoteView> Clear();

    Task<NoteView> Reload();
}

/// <summary>A note in the provider named <see cref="NoteGrain.StorageName"/>.</summary>
public interface INoteGrain : INote;

/// <summary>A note in the default provider.</summary>
public interface IDefaultNoteGrain : INote;

/// <summary>Keeps its note in the provider named <see cref="StorageName"/>.</summary>
[PreferLocalPlacement]
public sealed class NoteGrain([PersistentState(NoteGrain.StateName, NoteGrain.StorageName)] IPersistentState<Note> note, ILocalSiloDetails silo)
    : NoteGrainBase(note, silo), INoteGrain
{
    public const string StorageName = "store";
    public const string StateName = "note";
}

/// <summary>Keeps its note in the default provider.</summary>
[PreferLocalPlacement]
public sealed class DefaultNoteGrain([PersistentState(NoteGrain.StateName)] IPersistentState<Note> note, ILocalSiloDetails silo)
    : NoteGrainBase(note, silo), IDefaultNoteGrain;

public abstract class NoteGrainBase(IPersistentState<Note> note, ILocalSiloDetails silo) : Grain
{
    public Task<NoteView> Get() => Task.FromResult(View());

    public async Task<NoteView> Write(string text, int blobBytes = 0)
    {
        note.State.Text = text;
        note.State.Blob = new byte[blobBytes];
        await note.WriteStateAsync();
        return View();
    }

    public async Task<NoteView> Clear()
    {
        await note.ClearStateAsync();
        return View();
    }

    public async Task<NoteView> Reload()
    {
        await note.ReadStateAsync();
        return View();
    }

    private NoteView View() => new(note.State.Text, note.Etag, note.RecordExists, silo.Name);
}
