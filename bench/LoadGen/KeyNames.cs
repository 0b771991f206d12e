namespace MultiRaft.LoadGen;

/// <summary>Key names shared with the wrk scripts: <c>key%08d</c>.</summary>
public static class KeyNames
{
    /// <summary>The name of key number <paramref name="n"/>, e.g. 42 gives <c>key00000042</c>.</summary>
    public static string Of(int n) => string.Create(null, stackalloc char[11], $"key{n:D8}");
}
