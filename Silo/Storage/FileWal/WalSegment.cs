using System.Globalization;

namespace MultiRaft.Storage.FileWal;

/// <summary>
/// One file of the log and the range of record positions it holds. Positions
/// [<see cref="FirstPosition"/>, <see cref="LastPosition"/>] (empty when Last &lt; First).
/// </summary>
internal sealed class WalSegment(ulong seq, long firstPosition)
{
    public const string Prefix = "wal-";
    public const string SparePrefix = "spare-";
    public const string Suffix = ".log";

    public ulong Seq { get; } = seq;

    public string Name => NameOf(Seq);

    public long FirstPosition { get; } = firstPosition;

    public long LastPosition { get; set; } = firstPosition - 1;

    public static string NameOf(ulong seq) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{seq:D20}{Suffix}");

    public static string SpareNameOf(ulong seq) => string.Create(CultureInfo.InvariantCulture, $"{SparePrefix}{seq:D20}{Suffix}");

    /// <summary>Parses a segment file name; spares and other files are not segments.</summary>
    public static bool TryParse(string name, out ulong seq)
    {
        seq = 0;
        return name.Length == Prefix.Length + 20 + Suffix.Length
            && name.StartsWith(Prefix, StringComparison.Ordinal) && name.EndsWith(Suffix, StringComparison.Ordinal)
            && ulong.TryParse(name.AsSpan(Prefix.Length, 20), NumberStyles.None, CultureInfo.InvariantCulture, out seq);
    }

    public static bool IsSpare(string name) =>
        name.StartsWith(SparePrefix, StringComparison.Ordinal) && name.EndsWith(Suffix, StringComparison.Ordinal);
}
