using Orleans.Storage;

namespace MultiRaft.GrainStorage;

/// <summary>Settings of one MultiRaft grain storage provider (checked by <see cref="MultiRaftGrainStorageOptionsValidator"/>).</summary>
public sealed class MultiRaftGrainStorageOptions
{
    /// <summary>The store's default largest value (<c>MaxValueBytes</c> of the silos), 1 MiB.</summary>
    public const int DefaultMaxStateBytes = 1024 * 1024;

    /// <summary>The default longest key the provider makes, 1 KiB (the silos accept 4 KiB by default).</summary>
    public const int DefaultMaxKeyBytes = 1024;

    /// <summary>
    /// The largest serialized state written: a larger one is refused with
    /// <see cref="GrainStateTooLargeException"/> before anything is sent. It must not exceed the
    /// silos' <c>MaxValueBytes</c>, which the store enforces in any case.
    /// </summary>
    public int MaxStateBytes { get; set; } = DefaultMaxStateBytes;

    /// <summary>
    /// The longest key the provider makes (see <see cref="GrainStateKey"/>): a grain whose plain key
    /// would be longer is stored under a key that names its grain key by its SHA-256 hash instead.
    /// It must not exceed the silos' <c>MaxKeyBytes</c>, and must never change once state is stored
    /// (it decides which grains' keys are hashed).
    /// </summary>
    public int MaxKeyBytes { get; set; } = DefaultMaxKeyBytes;

    /// <summary>
    /// How state is turned into bytes. When null, a serializer registered in the silo's services
    /// under the provider's name is used (<c>AddKeyedSingleton&lt;IGrainStorageSerializer&gt;(name, ...)</c>),
    /// else <see cref="OrleansGrainStorageSerializer"/> over the silo's own Orleans serializer (so
    /// state types need <c>[GenerateSerializer]</c>, as grain call arguments do). Changing it for a
    /// provider that already holds state makes the stored state unreadable.
    /// </summary>
    public IGrainStorageSerializer? GrainStorageSerializer { get; set; }
}
