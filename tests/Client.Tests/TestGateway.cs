using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MultiRaft.Gateway;

namespace MultiRaft.Client.Tests;

/// <summary>A real Kestrel server serving the gateway protocol on loopback with a scripted handler.</summary>
public sealed class TestGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestGateway(WebApplication app, string siloId, IPEndPoint endPoint, ScriptedHandler handler, RecordingLoggerProvider logs)
    {
        _app = app;
        SiloId = siloId;
        EndPoint = endPoint;
        Handler = handler;
        Logs = logs;
    }

    public string SiloId { get; }

    public IPEndPoint EndPoint { get; }

    public string Address => $"127.0.0.1:{EndPoint.Port}";

    public ScriptedHandler Handler { get; }

    public RecordingLoggerProvider Logs { get; }

    public static async Task<TestGateway> StartAsync(string siloId, ScriptedHandler handler, string clusterId = "test-cluster",
        int maxFrameSize = 64 * 1024, int maxInflight = 4096)
    {
        var logs = new RecordingLoggerProvider();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<IClientRequestHandler>(handler);
        builder.Services.AddGateway(o =>
        {
            o.ClusterId = clusterId;
            o.SiloId = siloId;
            o.MaxFrameSize = maxFrameSize;
            o.MaxInflightPerConnection = maxInflight;
        });
        builder.WebHost.ConfigureKestrel(k => k.ListenGateway(new IPEndPoint(IPAddress.Loopback, 0)));
        var app = builder.Build();
        try
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new TestGateway(app, siloId, new IPEndPoint(IPAddress.Loopback, new Uri(address).Port), handler, logs);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
