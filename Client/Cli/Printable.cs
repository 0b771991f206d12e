using System.Text;

namespace MultiRaft.Cli;

/// <summary>
/// Bytes as one line of text for tables: UTF-8 with control characters escaped, or
/// <c>base64:</c> and the base64 text when the bytes are not UTF-8.
/// </summary>
internal static class Printable
{
    public static string Of(ReadOnlySpan<byte> bytes)
    {
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return "base64:" + Convert.ToBase64String(bytes);
        }

        var text = Encoding.UTF8.GetString(bytes);
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            _ = c switch
            {
                '\n' => escaped.Append("\\n"),
                '\r' => escaped.Append("\\r"),
                '\t' => escaped.Append("\\t"),
                _ when char.IsControl(c) => escaped.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }
}
