using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Orleans.Runtime;

namespace MultiRaft.GrainStorage;

/// <summary>
/// The store key of one grain state: the provider's name, the grain type, the state name and the
/// grain key, each length-prefixed, so that no two states share a key whatever bytes their parts
/// hold, and no key exceeds the provider's limit.
/// </summary>
/// <remarks>
/// <para>The plain form, UTF-8, where each part is <c>{byte length}:{bytes}</c>:</para>
/// <code>grain-state/{provider}/{grain type}/{state name}/{grain key}</code>
/// <para>for example <c>grain-state/7:Default/7:counter/5:state/3:abc</c>. When that is longer
/// than <see cref="MultiRaftGrainStorageOptions.MaxKeyBytes"/>, the grain key part becomes
/// <c>#</c> and the lowercase hex SHA-256 of the grain key's bytes; if that is still too long,
/// everything after the provider's part becomes <c>##</c> and the hex SHA-256 of the plain form's
/// grain type, state name and grain key parts. A plain part starts with a digit, a hashed one with
/// <c>#</c>, so the three forms never meet; two states share a hashed key only if SHA-256 collides.
/// Which form a state gets depends only on its parts and the limit, so it is found again after any
/// restart; the limit must not change while state is stored.</para>
/// <para>Keys of one provider share the prefix <c>grain-state/{provider}/</c>, and of one grain
/// type (unhashed) <c>grain-state/{provider}/{grain type}/</c>, for scans.</para>
/// </remarks>
public static class GrainStateKey
{
    /// <summary>The first bytes of every grain state key.</summary>
    public const string Prefix = "grain-state/";

    private const int HashHexChars = 64;

    /// <summary>The key of state <paramref name="stateName"/> of <paramref name="grainId"/> in provider <paramref name="provider"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxKeyBytes"/> is below <see cref="MinimumMaxKeyBytes"/>.</exception>
    public static byte[] Of(string provider, string stateName, GrainId grainId, int maxKeyBytes) =>
        Of(Encoding.UTF8.GetBytes(provider), grainId.Type.AsSpan(), Encoding.UTF8.GetBytes(stateName), grainId.Key.AsSpan(), maxKeyBytes);

    /// <summary>The shortest limit that fits every key of the provider named <paramref name="provider"/> (its fully hashed form).</summary>
    public static int MinimumMaxKeyBytes(string provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return Prefix.Length + PartLength(Encoding.UTF8.GetByteCount(provider)) + 2 + HashHexChars;
    }

    internal static byte[] Of(ReadOnlySpan<byte> provider, ReadOnlySpan<byte> grainType, ReadOnlySpan<byte> stateName,
        ReadOnlySpan<byte> grainKey, int maxKeyBytes)
    {
        var least = Prefix.Length + PartLength(provider.Length) + 2 + HashHexChars;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeyBytes, least);
        var head = Prefix.Length + PartLength(provider.Length);
        var middle = PartLength(grainType.Length) + PartLength(stateName.Length);
        var key = new ArrayBufferWriter<byte>(Math.Min(maxKeyBytes, head + middle + PartLength(grainKey.Length)));
        Write(key, Prefix);
        WritePart(key, provider);
        if (head + middle + PartLength(grainKey.Length) - 1 <= maxKeyBytes)
        {
            WritePart(key, grainType);
            WritePart(key, stateName);
            WritePart(key, grainKey, last: true);
        }
        else if (head + middle + 1 + HashHexChars <= maxKeyBytes)
        {
            WritePart(key, grainType);
            WritePart(key, stateName);
            Write(key, "#");
            WriteHash(key, grainKey);
        }
        else
        {
            var rest = new ArrayBufferWriter<byte>(middle + PartLength(grainKey.Length));
            WritePart(rest, grainType);
            WritePart(rest, stateName);
            WritePart(rest, grainKey, last: true);
            Write(key, "##");
            WriteHash(key, rest.WrittenSpan);
        }

        return key.WrittenSpan.ToArray();
    }

    // "{length}:{bytes}/": the length's digits, the colon, the bytes and the slash.
    private static int PartLength(int bytes) => bytes.ToString(CultureInfo.InvariantCulture).Length + 1 + bytes + 1;

    private static void WritePart(ArrayBufferWriter<byte> key, ReadOnlySpan<byte> part, bool last = false)
    {
        Write(key, part.Length.ToString(CultureInfo.InvariantCulture));
        Write(key, ":");
        key.Write(part);
        if (!last)
        {
            Write(key, "/");
        }
    }

    private static void WriteHash(ArrayBufferWriter<byte> key, ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(data, hash);
        Write(key, Convert.ToHexStringLower(hash));
    }

    private static void Write(ArrayBufferWriter<byte> key, string ascii) => key.Write(Encoding.ASCII.GetBytes(ascii));
}
