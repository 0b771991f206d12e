using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using MultiRaft.Client;

namespace MultiRaft.Http.Ui;

/// <summary>
/// The live view at <c>/ui</c>: a static page (HTML, vanilla JavaScript and CSS embedded in this
/// assembly) that polls <c>GET /cluster</c> and, through <c>GET /ui/metrics/{silo}</c>, every
/// silo's Prometheus text. The page is same-origin only: the serving silo fetches the other silos'
/// <c>/metrics</c> for it, by the HTTP addresses the cluster view lists (never an address the
/// request names).
/// </summary>
public static class UiEndpointRouteBuilderExtensions
{
    /// <summary>The page's route.</summary>
    public const string Path = "/ui";

    /// <summary>
    /// Maps <c>GET /ui</c>, its script and style sheet, and <c>GET /ui/metrics/{silo}</c>.
    /// Needs a registered <see cref="MultiRaftClient"/> and the silos' <c>/metrics</c> endpoint.
    /// </summary>
    public static IEndpointRouteBuilder MapMultiRaftUi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Routing matches "/ui/" to this route too.
        app.MapGet(Path, Asset("index.html", "text/html; charset=utf-8"));
        app.MapGet(Path + "/app.js", Asset("app.js", "text/javascript; charset=utf-8"));
        app.MapGet(Path + "/app.css", Asset("app.css", "text/css; charset=utf-8"));
        var proxy = new SiloMetricsProxy();
        app.MapGet(Path + "/metrics/{silo}", (Func<HttpContext, Task<IResult>>)proxy.GetAsync);
        return app;
    }

    // One embedded file, read once, answered with no caching so that a new silo build shows at once.
    private static Func<HttpContext, IResult> Asset(string name, string contentType)
    {
        var resource = "MultiRaft.Http.Ui." + name;
        using var stream = typeof(UiEndpointRouteBuilderExtensions).Assembly.GetManifestResourceStream(resource)
                           ?? throw new InvalidOperationException("missing embedded resource " + resource);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        return context =>
        {
            context.Response.Headers.CacheControl = "no-cache";
            return Results.Bytes(bytes, contentType);
        };
    }
}

/// <summary>
/// <c>GET /ui/metrics/{silo}</c>: the <c>multiraft_*</c> samples of that silo's <c>/metrics</c>, as
/// Prometheus text, with the serving silo's clock at the scrape (<c>X-MultiRaft-Scraped-Ms</c>, Unix
/// milliseconds) so that the page takes rates over real intervals whatever its own clock does.
/// 404 for a silo the cluster view does not list, 502 when that silo does not answer in time.
/// </summary>
internal sealed class SiloMetricsProxy
{
    /// <summary>The header carrying the scrape's time.</summary>
    public const string ScrapedHeader = "X-MultiRaft-Scraped-Ms";

    private const string Prefix = "multiraft_";
    private static readonly TimeSpan AddressesFor = TimeSpan.FromSeconds(5);

    // One client for every silo of the process; a short timeout, as the page asks again every second.
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        ConnectTimeout = TimeSpan.FromSeconds(2),
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = TimeSpan.FromSeconds(3),
    };

    private volatile Addresses? _addresses;

    public async Task<IResult> GetAsync(HttpContext context)
    {
        var silo = context.Request.RouteValues["silo"] as string ?? "";
        string? address;
        try
        {
            address = await AddressOfAsync(context, silo).ConfigureAwait(false);
        }
        catch (MultiRaftException e)
        {
            return ApiErrors.From(context, e);
        }

        if (address is null)
        {
            return ApiErrors.Refuse(context, StatusCodes.Status404NotFound, "no such silo: " + silo);
        }

        string text;
        try
        {
            text = await Http.GetStringAsync(new Uri($"http://{address}/metrics"), context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return ApiErrors.Refuse(context, StatusCodes.Status502BadGateway, $"silo {silo} at {address} did not answer: {e.Message}");
        }

        context.Response.Headers[ScrapedHeader] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Text(Samples(text), "text/plain; charset=utf-8");
    }

    /// <summary>The <c>multiraft_*</c> sample lines of a Prometheus text body (no comments, no other meters).</summary>
    internal static string Samples(string text)
    {
        var kept = new StringBuilder();
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (line.StartsWith(Prefix, StringComparison.Ordinal))
            {
                kept.Append(line).Append('\n');
            }
        }

        return kept.ToString();
    }

    // The silo's HTTP address from a cluster view at most a few seconds old (asked again for a silo it does not list).
    private async Task<string?> AddressOfAsync(HttpContext context, string silo)
    {
        var cached = _addresses;
        if (cached is not null && Stopwatch.GetElapsedTime(cached.At) < AddressesFor && cached.BySilo.TryGetValue(silo, out var known))
        {
            return known;
        }

        var view = await context.RequestServices.GetRequiredService<MultiRaftClient>().GetClusterAsync(context.RequestAborted).ConfigureAwait(false);
        var bySilo = view.Silos.Where(s => !string.IsNullOrEmpty(s.HttpAddress)).ToDictionary(s => s.SiloId, s => s.HttpAddress, StringComparer.Ordinal);
        _addresses = new Addresses(bySilo, Stopwatch.GetTimestamp());
        return bySilo.GetValueOrDefault(silo);
    }

    private sealed record Addresses(Dictionary<string, string> BySilo, long At);
}
