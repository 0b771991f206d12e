using System.Text;
using MultiRaft.Client;
using Orleans.Concurrency;

namespace EmbeddedShop;

/// <summary>
/// A cart whose contents live in MultiRaft rather than in the grain: any silo that activates it
/// after a restart or a move finds them there, replicated and durable.
/// </summary>
/// <remarks>
/// Reentrant, so a caller waiting on the store does not queue the cart's other callers; calls
/// therefore interleave at every await and two adds can read the same version. Each update is a
/// read-modify-write that commits with a compare-and-set on the version it read, so the second
/// add is refused and retried instead of overwriting the first. The same holds against writers
/// Orleans cannot serialize: another application, or a duplicate activation during a membership
/// change.
/// </remarks>
[Reentrant]
internal sealed class CartGrain(MultiRaftClient kv) : Grain, ICartGrain
{
    private byte[] Key => Encoding.UTF8.GetBytes($"cart/{this.GetPrimaryKeyString()}");

    public Task AddItemAsync(string sku, int quantity) =>
        UpdateAsync(items => items[sku] = items.GetValueOrDefault(sku) + quantity);

    public Task RemoveItemAsync(string sku) => UpdateAsync(items => items.Remove(sku));

    public async Task<IReadOnlyList<CartItem>> GetItemsAsync()
    {
        var entry = await kv.GetAsync(Key);
        return [.. CartContents.Decode(entry?.Value).Select(i => new CartItem(i.Key, i.Value))];
    }

    private async Task UpdateAsync(Action<SortedDictionary<string, int>> change)
    {
        // Every refusal means another writer committed, so the loop always makes progress.
        while (true)
        {
            var entry = await kv.GetAsync(Key);
            var items = CartContents.Decode(entry?.Value);
            change(items);
            try
            {
                // Expected version 0 means create-only: of two first adds, one creates the cart.
                await kv.CompareAndSetAsync(Key, CartContents.Encode(items), entry?.Version ?? 0);
                return;
            }
            catch (PreconditionFailedException)
            {
                // Someone wrote between our read and our write: read their cart and apply ours to it.
                // (An OutcomeUnknownException is not retried: the add may have applied, and doing it
                // again would add twice. It goes to the caller.)
            }
        }
    }
}
