namespace MultiRaft.Grains.Interfaces;

/// <summary>
/// The placement director's refusal: the grain's home silo is not an active member of the
/// cluster, so the grain was not activated and the call did not run.
/// </summary>
public static class PlacementRefusal
{
    /// <summary>The text every refusal's message starts with; callers recognise it through any wrapping.</summary>
    public const string Marker = "MultiRaft placement refused:";

    /// <summary>The exception the director throws.</summary>
    public static InvalidOperationException Create(string key, string homeSilo) =>
        new($"{Marker} grain '{key}' lives only on silo '{homeSilo}', which is not an active member of the cluster.");

    /// <summary>True when <paramref name="exception"/> (or one it wraps) is a refusal.</summary>
    public static bool IsRefusal(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e.Message.Contains(Marker, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
