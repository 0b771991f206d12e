using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MultiRaft.Client;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Messaging;
using Orleans.Runtime;
using OrleansClusterOptions = Orleans.Configuration.ClusterOptions;

namespace MultiRaft.Nemesis;

/// <summary>
/// An Orleans client host (<c>UseOrleansClient</c> + <c>AddMultiRaftClient</c>) from the root
/// namespace to the harness's silos, made to outlive them: its gateway list is re-read every
/// second (so a restarted or newly joined silo's gateway is used again soon, where a static list
/// would shun a gateway it saw die for a minute), connections open with a short timeout (a
/// paused gateway does not hold the client), and the first connection is retried while the
/// cluster comes up. Its warnings go to a log file; it handles no console signals (the
/// process's owner does).
/// </summary>
public sealed class NemesisClient : IAsyncDisposable
{
    private readonly IHost _host;

    private NemesisClient(IHost host)
    {
        _host = host;
        Client = host.Services.GetRequiredService<MultiRaftClient>();
        Grains = host.Services.GetRequiredService<IGrainFactory>();
    }

    /// <summary>The MultiRaft client over this Orleans client.</summary>
    public MultiRaftClient Client { get; }

    /// <summary>The Orleans client's grain factory (for calls to one replica grain).</summary>
    public IGrainFactory Grains { get; }

    /// <summary>
    /// Builds and starts a client whose gateways are whatever <paramref name="gateways"/> returns
    /// (asked again every second). Gives up on the first connection after <paramref name="connectFor"/>.
    /// </summary>
    /// <param name="clusterId">The silos' Orleans cluster id.</param>
    /// <param name="gateways">The gateways to use now.</param>
    /// <param name="requestTimeout">The MultiRaft client's whole budget per call.</param>
    /// <param name="connectFor">How long to keep retrying the first connection.</param>
    /// <param name="logPath">Where the client's warnings go.</param>
    /// <param name="cancellationToken">Abandons the start.</param>
    public static async Task<NemesisClient> StartAsync(string clusterId, Func<IReadOnlyList<IPEndPoint>> gateways, TimeSpan requestTimeout,
        TimeSpan connectFor, string logPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(new FileLoggerProvider(logPath));
        // No Ctrl-C or SIGTERM handling here: the test run or the campaign owns the process.
        builder.Services.AddSingleton<IHostLifetime, NoSignalsLifetime>();
        var retryUntil = DateTime.UtcNow + connectFor;
        builder.UseOrleansClient(c =>
        {
            c.UseStaticClustering([.. gateways()]);
            // Replaces the static list with one that follows the harness's silos.
            c.Services.RemoveAll<IGatewayListProvider>();
            c.Services.AddSingleton<IGatewayListProvider>(new HarnessGateways(gateways));
            c.Configure<OrleansClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = ClusterHarness.ServiceId;
            });
            c.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
            c.Configure<ConnectionOptions>(o =>
            {
                o.OpenConnectionTimeout = TimeSpan.FromSeconds(1);
                o.ConnectionRetryDelay = TimeSpan.FromMilliseconds(200);
            });
            // No call waits for an answer much longer than the MultiRaft client's own deadline.
            c.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = requestTimeout + TimeSpan.FromSeconds(1));
            c.UseConnectionRetryFilter(new RetryUntil(retryUntil));
            c.AddMultiRaftClient(o =>
            {
                o.RequestTimeout = requestTimeout;
                o.InitialRetryDelay = TimeSpan.FromMilliseconds(20);
                o.MaxRetryDelay = TimeSpan.FromMilliseconds(200);
            });
        });
        var host = builder.Build();
        try
        {
            if (host.Services.GetRequiredService<IGatewayListProvider>() is not HarnessGateways)
            {
                throw new InvalidOperationException("the Orleans client does not use the harness's gateway list");
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(connectFor + TimeSpan.FromSeconds(5));
            await host.StartAsync(deadline.Token);
            return new NemesisClient(host);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Stopping tells the gateways the client leaves; dead gateways must not hold it up.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _host.StopAsync(cts.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or OrleansException or ObjectDisposedException)
        {
        }

        _host.Dispose();
    }

    private sealed class HarnessGateways(Func<IReadOnlyList<IPEndPoint>> gateways) : IGatewayListProvider
    {
        public TimeSpan MaxStaleness => TimeSpan.FromSeconds(1);

        public bool IsUpdatable => true;

        public Task InitializeGatewayListProvider() => Task.CompletedTask;

        public Task<IList<Uri>> GetGateways() => Task.FromResult<IList<Uri>>([.. gateways().Select(g => g.ToGatewayUri())]);
    }

    private sealed class RetryUntil(DateTime until) : IClientConnectionRetryFilter
    {
        public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
        {
            if (DateTime.UtcNow >= until)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
            return true;
        }
    }

    private sealed class NoSignalsLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    // Warning and above, one line each, appended to one file shared by every logger of the client.
    private sealed class FileLoggerProvider(string path) : ILoggerProvider
    {
        private readonly StreamWriter _writer = new(path, append: true) { AutoFlush = true };

        public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

        public void Dispose()
        {
            lock (_writer)
            {
                _writer.Dispose();
            }
        }

        private void Write(string line)
        {
            lock (_writer)
            {
                try
                {
                    _writer.WriteLine(line);
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }

        private sealed class FileLogger(FileLoggerProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    provider.Write($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}"
                        + (exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message));
                }
            }
        }
    }
}
