namespace EmbeddedShop;

/// <summary>A shopping cart, one grain per cart id, its contents kept in MultiRaft under <c>cart/{id}</c>.</summary>
[Alias("EmbeddedShop.ICartGrain")]
public interface ICartGrain : IGrainWithStringKey
{
    /// <summary>Adds <paramref name="quantity"/> of <paramref name="sku"/> to what the cart holds.</summary>
    [Alias("AddItem")]
    Task AddItemAsync(string sku, int quantity);

    /// <summary>Removes every <paramref name="sku"/> from the cart.</summary>
    [Alias("RemoveItem")]
    Task RemoveItemAsync(string sku);

    /// <summary>The cart's lines, ordered by SKU.</summary>
    [Alias("GetItems")]
    Task<IReadOnlyList<CartItem>> GetItemsAsync();
}

/// <summary>One line of a cart.</summary>
[GenerateSerializer, Immutable, Alias("EmbeddedShop.CartItem")]
public sealed record CartItem([property: Id(0)] string Sku, [property: Id(1)] int Quantity);
