using MultiRaft.Client;

namespace EmbeddedShop;

/// <summary>
/// The scripted demo: adds to cart "demo" through its grain, once one at a time and once ten
/// adds at the same moment, reading the cart back after each step. It starts from whatever an
/// earlier run left in the store, so a second run shows the first run's items.
/// </summary>
internal static class ShopDemo
{
    public static async Task RunAsync(IGrainFactory grains, MultiRaftClient kv, TextWriter output, CancellationToken cancellationToken)
    {
        await WaitForLeadersAsync(kv, TimeSpan.FromSeconds(60), cancellationToken);
        var cart = grains.GetGrain<ICartGrain>("demo");
        await output.WriteLineAsync($"cart/demo at start: {Show(await cart.GetItemsAsync())}");

        await cart.AddItemAsync("apple", 2);
        await output.WriteLineAsync($"added 2 apple: {Show(await cart.GetItemsAsync())}");

        await cart.AddItemAsync("pear", 1);
        await output.WriteLineAsync($"added 1 pear: {Show(await cart.GetItemsAsync())}");

        // Ten adds in flight together: the grain interleaves them, and compare-and-set makes
        // each one that read a stale cart retry, so all ten count.
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => cart.AddItemAsync("plum", 1)));
        await output.WriteLineAsync($"10 concurrent adds of 1 plum: {Show(await cart.GetItemsAsync())}");

        await cart.RemoveItemAsync("pear");
        await output.WriteLineAsync($"removed pear: {Show(await cart.GetItemsAsync())}");
    }

    private static string Show(IReadOnlyList<CartItem> items) =>
        items.Count == 0 ? "(empty)" : string.Join(", ", items.Select(i => $"{i.Sku} x{i.Quantity}"));

    // A new or restarted silo elects its shards' leaders in its first seconds. Waiting for them
    // here keeps the demo's first call from spending its request deadline on the election.
    private static async Task WaitForLeadersAsync(MultiRaftClient kv, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        while (true)
        {
            try
            {
                var view = await kv.GetClusterAsync(deadline.Token);
                if (view.Shards.Count > 0 && view.Shards.All(s => view.Leaders.Any(l => l.ShardId == s.ShardId)))
                {
                    return;
                }
            }
            catch (MultiRaftException)
            {
                // The router itself has no leader yet: ask again.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
        }
    }
}
