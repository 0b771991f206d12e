using EmbeddedShop;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MultiRaft.Client;
using MultiRaft.Silo.Hosting;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(ShopArgs.Usage);
    return 0;
}

if (ShopArgs.Parse(args, Console.Error) is not { } shop)
{
    return 2;
}

// Orleans' cluster identity and endpoints, and what MultiRaft records for this silo, must agree:
// both are set from these values.
const string ServiceId = "multiraft", ClusterId = "multiraft-dev";
var builder = Host.CreateApplicationBuilder();
// Log lines go to standard error, so standard output holds only what the shop prints; the demo
// keeps only warnings, so its few lines are not lost among Orleans' start-up messages.
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
if (shop.Demo)
{
    builder.Logging.AddFilter(null, LogLevel.Warning);
}

builder.UseOrleans(silo => silo
    .UseLocalhostClustering(shop.SiloPort, shop.GatewayPort, serviceId: ServiceId, clusterId: ClusterId)
    .AddMultiRaft(o =>
    {
        // The silo's name in both Orleans and MultiRaft: it must stay the same across restarts,
        // since the replicas in the data directory belong to it.
        o.SiloId = "shop1";
        o.SiloPort = shop.SiloPort;
        o.GatewayPort = shop.GatewayPort;
        o.ServiceId = ServiceId;
        o.ClusterId = ClusterId;
        o.DataDirectory = shop.DataDirectory;
        o.InitialShards = 4;
        // The one silo of this cluster starts it when its storage is empty.
        o.Bootstrap = true;
    }));

using var host = builder.Build();
if (!shop.Demo)
{
    // MultiRaft's gateway is Orleans' own: ClientQuickstart can talk to this silo too.
    await host.RunAsync();
    return Environment.ExitCode;
}

await host.StartAsync();
try
{
    var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
    await ShopDemo.RunAsync(host.Services.GetRequiredService<IGrainFactory>(), host.Services.GetRequiredService<MultiRaftClient>(),
        Console.Out, lifetime.ApplicationStopping);
    return 0;
}
catch (MultiRaftException ex)
{
    await Console.Error.WriteLineAsync($"EmbeddedShop: the store did not answer: {ex.Message}");
    return 1;
}
finally
{
    await host.StopAsync();
}
