using System.Text;
using MultiRaft.Client;

namespace MultiRaft.Http;

/// <summary>
/// Renders a scanned entry as JSON text: UTF-8 strings when both key and value decode strictly,
/// otherwise both in base64 with <c>"encoding":"base64"</c>, so one item never mixes encodings.
/// </summary>
internal static class ScanItems
{
    public static ScanItem From(KvEntry entry)
    {
        if (TryText(entry.Key.Span, out var key) && TryText(entry.Value.Span, out var value))
        {
            return new ScanItem(key, value, entry.Version);
        }

        return new ScanItem(Convert.ToBase64String(entry.Key.Span), Convert.ToBase64String(entry.Value.Span), entry.Version, "base64");
    }

    private static bool TryText(ReadOnlySpan<byte> bytes, out string text)
    {
        text = "";
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return false;
        }

        text = Encoding.UTF8.GetString(bytes);
        return true;
    }
}
