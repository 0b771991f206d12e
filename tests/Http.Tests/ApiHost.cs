using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MultiRaft.Client;
using MultiRaft.Testing;

namespace MultiRaft.Http.Tests;

/// <summary>The HTTP API in Kestrel on a free loopback port, over a client whose grain channel is scripted.</summary>
internal sealed class ApiHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ApiHost(WebApplication app, ScriptedChannel channel, MultiRaftClient client, HttpClient http)
    {
        _app = app;
        Channel = channel;
        Client = client;
        Http = http;
    }

    /// <summary>The grains behind the client: what they received, and answers a test scripts.</summary>
    public ScriptedChannel Channel { get; }

    public MultiRaftClient Client { get; }

    public HttpClient Http { get; }

    /// <summary>Keys up to 16 bytes and values up to 64 bytes, so limits are cheap to cross.</summary>
    public static async Task<ApiHost> StartAsync(TimeSpan? requestTimeout = null)
    {
        var channel = new ScriptedChannel();
        var options = new MultiRaftClientOptions
        {
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(5),
            InitialRetryDelay = TimeSpan.FromMilliseconds(1),
            MaxRetryDelay = TimeSpan.FromMilliseconds(5),
        };
        var client = new MultiRaftClient(options, channel);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton(client);
        builder.Services.AddMultiRaftHttpApi(o =>
        {
            o.MaxKeyBytes = 16;
            o.MaxValueBytes = 64;
        });
        var app = builder.Build();
        app.MapMultiRaftHttpApi();
        await app.StartAsync(TestContext.Current.CancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var http = new HttpClient { BaseAddress = new Uri(address) };
        return new ApiHost(app, channel, client, http);
    }

    /// <summary>
    /// The host's address for <paramref name="path"/> exactly as written: <see cref="Uri"/> would
    /// otherwise re-escape a broken escape such as <c>%zz</c> to the valid <c>%25zz</c>.
    /// </summary>
    public Uri Verbatim(string path) =>
        new(Http.BaseAddress + path.TrimStart('/'), new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

    /// <summary>
    /// A client that reaches the host as its HTTP proxy, so that requests for any origin arrive with
    /// an absolute-form target (<c>PUT http://origin/kv/k</c>) and take the server's routed path.
    /// </summary>
    public HttpClient ThroughProxy() =>
        new(new SocketsHttpHandler { Proxy = new WebProxy(Http.BaseAddress), UseProxy = true });

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        await Client.DisposeAsync();
    }
}
