using System.Net;

namespace MultiRaft.LoadGen;

/// <summary>Sends <c>PUT</c>/<c>GET /kv/{key}</c>; client i talks to <c>urls[i % urls.Count]</c>.</summary>
public sealed class HttpKvTarget : IKvTarget, IDisposable
{
    private readonly HttpClient _client;
    private readonly IReadOnlyList<Uri> _urls;

    /// <summary>A target over <paramref name="handler"/>, which it disposes only when <paramref name="disposeHandler"/>.</summary>
    public HttpKvTarget(IReadOnlyList<Uri> urls, HttpMessageHandler handler, TimeSpan timeout, bool disposeHandler = false)
    {
        ArgumentNullException.ThrowIfNull(urls);
        ArgumentOutOfRangeException.ThrowIfZero(urls.Count);
        _urls = urls;
        _client = new HttpClient(handler, disposeHandler) { Timeout = timeout };
    }

    /// <summary>A target over its own connection pool, sized so that no client queues behind another.</summary>
    public static HttpKvTarget Create(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Clients,
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        return new HttpKvTarget(options.Urls, handler, options.RequestTimeout, disposeHandler: true);
    }

    /// <inheritdoc/>
    public async ValueTask<string?> SendAsync(int client, OpKind kind, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        var uri = new Uri(_urls[client % _urls.Count], "kv/" + key);
        try
        {
            using var request = new HttpRequestMessage(kind == OpKind.Read ? HttpMethod.Get : HttpMethod.Put, uri);
            if (kind == OpKind.Write)
            {
                request.Content = new ReadOnlyMemoryContent(value);
            }

            using var response = await _client.SendAsync(request, cancellationToken);
            var ok = kind == OpKind.Read
                ? response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound
                : response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.OK;
            return ok ? null : "status " + (int)response.StatusCode;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "timeout";
        }
        catch (HttpRequestException e)
        {
            return "http " + e.HttpRequestError;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();
}
