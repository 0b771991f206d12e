using System.Net;
using System.Text.Json;

namespace MultiRaft.Http.Tests;

/// <summary>Exact checks on answers.</summary>
internal static class HttpAssert
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The status is <paramref name="status"/> and the body is exactly <c>{"error": reason}</c> (reason not checked when null).</summary>
    public static async Task Error(HttpResponseMessage response, HttpStatusCode status, string? reason = null)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var error = doc.RootElement.GetProperty("error").GetString();
        Assert.False(string.IsNullOrEmpty(error));
        if (reason is not null)
        {
            Assert.Equal(reason, error);
        }
    }

    public static string? ETag(HttpResponseMessage response) => response.Headers.ETag?.Tag;
}
