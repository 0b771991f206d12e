using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MultiRaft.Transport.Tests;

/// <summary>A real Kestrel server serving the silo-to-silo port on loopback, with a recording sink.</summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestSilo(WebApplication app, string siloId, IPEndPoint endPoint, RecordingSink sink, RecordingLoggerProvider logs)
    {
        _app = app;
        SiloId = siloId;
        EndPoint = endPoint;
        Sink = sink;
        Logs = logs;
    }

    public string SiloId { get; }

    public IPEndPoint EndPoint { get; }

    public RecordingSink Sink { get; }

    public RecordingLoggerProvider Logs { get; }

    /// <summary>Starts a silo listening on 127.0.0.1:<paramref name="port"/> (0: any free port).</summary>
    public static async Task<TestSilo> StartAsync(string siloId, string clusterId = "test-cluster", int port = 0,
        int maxFrameSize = 1024 * 1024, TimeSpan? handshakeTimeout = null, string serviceId = "",
        long maxSnapshotBytes = 1L << 30)
    {
        var sink = new RecordingSink();
        var logs = new RecordingLoggerProvider();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<IMessageSink>(sink);
        builder.Services.AddSiloTransport(o =>
        {
            o.ClusterId = clusterId;
            o.SiloId = siloId;
            o.MaxFrameSize = maxFrameSize;
            o.HandshakeTimeout = handshakeTimeout ?? TimeSpan.FromSeconds(5);
            o.ServiceId = serviceId;
            o.MaxSnapshotBytes = maxSnapshotBytes;
        });
        builder.WebHost.ConfigureKestrel(k => k.ListenSiloTransport(new IPEndPoint(IPAddress.Loopback, port)));
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

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.Single();
        var bound = new IPEndPoint(IPAddress.Loopback, new Uri(address).Port);
        return new TestSilo(app, siloId, bound, sink, logs);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
