using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace MultiRaft.Http;

/// <summary>Reads a request body, never holding more than the cap plus one read's worth.</summary>
internal static class CappedBody
{
    /// <summary>The body's bytes, or null when it is longer than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length > maxBytes)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return null;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                var bytes = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return bytes;
            }

            // Examine everything, consume nothing: the pipe keeps the bytes and waits for more.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
