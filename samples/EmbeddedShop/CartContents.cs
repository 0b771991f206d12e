using System.Text.Json;

namespace EmbeddedShop;

/// <summary>
/// A cart as it is stored: JSON <c>{"sku": quantity}</c>, readable with <c>curl /kv/cart/{id}</c>
/// on a silo that serves the HTTP API.
/// </summary>
internal static class CartContents
{
    // Ordinal, so a cart lists its lines in the same order on every machine.
    public static SortedDictionary<string, int> Decode(ReadOnlyMemory<byte>? stored) => new(
        stored is { } bytes ? JsonSerializer.Deserialize<Dictionary<string, int>>(bytes.Span) ?? [] : [],
        StringComparer.Ordinal);

    public static byte[] Encode(SortedDictionary<string, int> items) => JsonSerializer.SerializeToUtf8Bytes(items);
}
