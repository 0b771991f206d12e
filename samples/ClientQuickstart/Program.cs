using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MultiRaft.Client;

var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleansClient(client => client
    .UseLocalhostClustering([30000, 30001, 30002], serviceId: "multiraft", clusterId: "multiraft-dev")
    .AddMultiRaftClient());
using var host = builder.Build();
await host.StartAsync();

var kv = host.Services.GetRequiredService<MultiRaftClient>();
var version = await kv.PutAsync("user/7"u8.ToArray(), "Ada"u8.ToArray());
var entry = await kv.GetAsync("user/7"u8.ToArray());                  // value + version, or null
await kv.CompareAndSetAsync("user/7"u8.ToArray(), "Ada L."u8.ToArray(), expectedVersion: version);
var page = await kv.ScanAsync("user/"u8.ToArray(), limit: 100);
Console.WriteLine($"{Encoding.UTF8.GetString(entry!.Value.Span)} at version {entry.Version}; {page.Count} keys under user/");
await host.StopAsync();
