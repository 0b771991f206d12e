using System.Globalization;
using Microsoft.Extensions.Logging;
using MultiRaft.Client;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace MultiRaft.GrainStorage;

/// <summary>
/// Orleans grain storage in the MultiRaft store of the application's own silos: each grain state
/// is one key (<see cref="GrainStateKey"/>), replicated by its shard's Raft group.
/// </summary>
/// <remarks>
/// <para>The ETag is the key's MultiRaft version (the log index of the write that made it, in
/// decimal). A write with an ETag is a compare-and-set on it; a write without one is create-only;
/// a clear is a delete on the ETag (without one, it succeeds only if there is nothing to delete).
/// A condition that does not hold throws <see cref="InconsistentStateException"/> carrying the
/// stored ETag (null when nothing is stored). Reads are linearizable: a read returns every write
/// acknowledged before it began.</para>
/// <para>A write or clear whose outcome cannot be learnt throws
/// <see cref="GrainStateOutcomeUnknownException"/>, which is safe to retry (its remarks say why).
/// A cancelled write's outcome is unknown in the same way. When no leader answers a read, or a
/// write that certainly did not apply, Orleans reports the client's
/// <see cref="UnavailableException"/> inside an <see cref="OrleansException"/>.</para>
/// </remarks>
public sealed class MultiRaftGrainStorage : IGrainStorage
{
    private readonly string _name;
    private readonly MultiRaftGrainStorageOptions _options;
    private readonly MultiRaftClient _store;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly ILogger _logger;

    /// <summary>Creates the provider named <paramref name="name"/>.</summary>
    public MultiRaftGrainStorage(string name, MultiRaftGrainStorageOptions options, MultiRaftClient store,
        IGrainStorageSerializer serializer, IActivatorProvider activators, ILogger<MultiRaftGrainStorage> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(activators);
        ArgumentNullException.ThrowIfNull(logger);
        _name = name;
        _options = options;
        _store = store;
        _serializer = serializer;
        _activators = activators;
        _logger = logger;
    }

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var entry = await _store.GetAsync(KeyOf(stateName, grainId), ReadConsistency.Linearizable, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            grainState.State = CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = _serializer.Deserialize<T>(entry.Value);
        grainState.ETag = ETagOf(entry.Version);
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    /// <exception cref="InconsistentStateException">The stored version is not the state's ETag (or, without one, a state is stored).</exception>
    /// <exception cref="GrainStateOutcomeUnknownException">The write may or may not have applied; safe to retry.</exception>
    /// <exception cref="GrainStateTooLargeException">The serialized state is over <see cref="MultiRaftGrainStorageOptions.MaxStateBytes"/>.</exception>
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var expected = ExpectedVersion(grainState.ETag, "write", stateName, grainId);
        var value = _serializer.Serialize(grainState.State).ToMemory();
        if (value.Length > _options.MaxStateBytes)
        {
            GrainStorageLog.TooLarge(_logger, _name, grainId.ToString(), stateName, value.Length, _options.MaxStateBytes);
            throw new GrainStateTooLargeException(
                $"MultiRaft grain storage '{_name}': state '{stateName}' of {grainId} is {value.Length} bytes serialized, over the provider's "
                + $"limit of {_options.MaxStateBytes} (MaxStateBytes); nothing was written.", value.Length, _options.MaxStateBytes);
        }

        var version = await ConditionalAsync("write", stateName, grainId, grainState.ETag,
            _store.CompareAndSetAsync(KeyOf(stateName, grainId), value, expected, cancellationToken)).ConfigureAwait(false);
        grainState.ETag = ETagOf(version);
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    /// <exception cref="InconsistentStateException">The stored version is not the state's ETag (or, without one, a state is stored).</exception>
    /// <exception cref="GrainStateOutcomeUnknownException">The delete may or may not have applied; safe to retry.</exception>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var expected = ExpectedVersion(grainState.ETag, "clear", stateName, grainId);
        var key = KeyOf(stateName, grainId);
        if (expected == 0)
        {
            // Nothing to delete is the only state a clear without an ETag may find; a read proves it.
            if (await _store.GetAsync(key, ReadConsistency.Linearizable, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                throw Conflict("clear", stateName, grainId, null, stored.Version, null);
            }
        }
        else
        {
            await ConditionalAsync("clear", stateName, grainId, grainState.ETag,
                _store.DeleteAsync(key, new WriteOptions { IfVersion = expected }, cancellationToken)).ConfigureAwait(false);
        }

        grainState.State = CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    // Awaits a conditional write, in Orleans' terms: a refusal is a conflict, an unknown outcome is retryable.
    private async Task<TResult> ConditionalAsync<TResult>(string operation, string stateName, GrainId grainId, string? eTag, Task<TResult> write)
    {
        try
        {
            return await write.ConfigureAwait(false);
        }
        catch (PreconditionFailedException ex)
        {
            throw Conflict(operation, stateName, grainId, eTag, ex.CurrentVersion, ex);
        }
        catch (OutcomeUnknownException ex)
        {
            throw OutcomeUnknown(operation, stateName, grainId, ex);
        }
    }

    private byte[] KeyOf(string stateName, GrainId grainId) => GrainStateKey.Of(_name, stateName, grainId, _options.MaxKeyBytes);

    private static string ETagOf(ulong version) => version.ToString(CultureInfo.InvariantCulture);

    // The version a conditional write expects: 0 (absent) without an ETag. An ETag this provider
    // did not make cannot match any version.
    private ulong ExpectedVersion(string? eTag, string operation, string stateName, GrainId grainId)
    {
        if (eTag is null)
        {
            return 0;
        }

        if (ulong.TryParse(eTag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0)
        {
            return version;
        }

        GrainStorageLog.Conflict(_logger, _name, operation, grainId.ToString(), stateName, eTag, null);
        throw new InconsistentStateException(
            $"MultiRaft grain storage '{_name}': {operation} of state '{stateName}' of {grainId}: ETag '{eTag}' is not a MultiRaft version.",
            storedEtag: null, currentEtag: eTag);
    }

    // storedVersion: 0 when nothing is stored.
    private InconsistentStateException Conflict(string operation, string stateName, GrainId grainId, string? eTag, ulong storedVersion,
        Exception? refusal)
    {
        var stored = storedVersion == 0 ? null : ETagOf(storedVersion);
        GrainStorageLog.Conflict(_logger, _name, operation, grainId.ToString(), stateName, eTag, stored);
        return new InconsistentStateException(
            $"MultiRaft grain storage '{_name}': {operation} of state '{stateName}' of {grainId} expected "
            + $"{(eTag is null ? "no stored state" : $"version {eTag}")} but found {(stored is null ? "none" : $"version {stored}")}.",
            storedEtag: stored, currentEtag: eTag, refusal);
    }

    private GrainStateOutcomeUnknownException OutcomeUnknown(string operation, string stateName, GrainId grainId, OutcomeUnknownException cause)
    {
        GrainStorageLog.OutcomeUnknown(_logger, cause, _name, operation, grainId.ToString(), stateName);
        return new GrainStateOutcomeUnknownException(
            $"MultiRaft grain storage '{_name}': the {operation} of state '{stateName}' of {grainId} may or may not have applied "
            + "(it never applies twice); retrying it is safe. " + cause.Message, cause);
    }

    private T CreateInstance<T>() => _activators.GetActivator<T>().Create();
}
