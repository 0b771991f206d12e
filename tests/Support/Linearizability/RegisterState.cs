using System.Globalization;

namespace MultiRaft.Linearizability;

/// <summary>Whether the key is known to exist.</summary>
public enum Existence
{
    /// <summary>Known absent.</summary>
    Absent,

    /// <summary>Known present.</summary>
    Present,

    /// <summary>Not known (only at the start of a window checked from an arbitrary state).</summary>
    Unknown,
}

/// <summary>
/// What the model knows about one versioned key. Knowledge may be partial: after an Unknown write
/// took effect its version is not known, only that it is greater than <see cref="Version"/>.
/// </summary>
/// <param name="Existence">Whether the key exists.</param>
/// <param name="Value">The value when present and known; null when present with a value not known.</param>
/// <param name="Version">
/// When <paramref name="VersionKnown"/>: the exact current version. Otherwise an exclusive lower
/// bound: the current version (if present) and every later write's version are greater.
/// </param>
/// <param name="VersionKnown">Whether <paramref name="Version"/> is exact.</param>
public readonly record struct RegisterState(Existence Existence, string? Value, long Version, bool VersionKnown)
{
    /// <summary>Whether a read may return <paramref name="version"/> now.</summary>
    public bool MayHaveVersion(long version) =>
        Existence != Existence.Absent && (VersionKnown ? version == Version : version > Version);

    /// <summary>Whether a read may return <paramref name="value"/> now.</summary>
    public bool MayHaveValue(string? value) =>
        Existence != Existence.Absent && (Value is null || string.Equals(Value, value, StringComparison.Ordinal));

    /// <summary>Whether a write may produce <paramref name="version"/> now: versions only grow.</summary>
    public bool AcceptsNewVersion(long version) => version > Version;

    /// <summary>Whether the current version is known to be exactly <paramref name="version"/>.</summary>
    public bool IsExactly(long version) => Existence == Existence.Present && VersionKnown && Version == version;

    /// <inheritdoc />
    public override string ToString()
    {
        var version = Version == long.MinValue ? "?" : Version.ToString(CultureInfo.InvariantCulture);
        return Existence switch
        {
            Existence.Absent => $"absent (versions > {version})",
            Existence.Unknown => "unknown",
            _ => $"{Value ?? "?"}@{(VersionKnown ? "v" + version : "v>" + version)}",
        };
    }
}
