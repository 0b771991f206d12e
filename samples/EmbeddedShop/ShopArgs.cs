using System.Globalization;

namespace EmbeddedShop;

/// <summary>The sample's command line.</summary>
internal sealed record ShopArgs(bool Demo, int SiloPort, int GatewayPort, string DataDirectory)
{
    public const string Usage = """
        EmbeddedShop: an Orleans silo with MultiRaft added and a cart grain that keeps its carts in it.
          --demo              run a short scripted demo against cart "demo", then exit
                              (without it the silo runs until Ctrl+C)
          --silo-port N       Orleans silo-to-silo port (default 11111)
          --gateway-port N    Orleans client gateway port (default 30000)
          --data-dir DIR      where MultiRaft keeps its write-ahead log (default ./shop-data)
        """;

    /// <summary>The parsed flags, or null (with the reason on <paramref name="error"/>) when they do not parse.</summary>
    public static ShopArgs? Parse(string[] args, TextWriter error)
    {
        var parsed = new ShopArgs(false, 11111, 30000, "shop-data");
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--demo":
                    parsed = parsed with { Demo = true };
                    continue;
                case "--silo-port" when TryPort(value, out var port):
                    parsed = parsed with { SiloPort = port };
                    break;
                case "--gateway-port" when TryPort(value, out var port):
                    parsed = parsed with { GatewayPort = port };
                    break;
                case "--data-dir" when !string.IsNullOrEmpty(value):
                    parsed = parsed with { DataDirectory = value };
                    break;
                default:
                    error.WriteLine($"EmbeddedShop: unexpected '{args[i]}'{(value is null ? "" : $" '{value}'")}\n{Usage}");
                    return null;
            }

            i++;
        }

        return parsed;
    }

    private static bool TryPort(string? value, out int port) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and < 65536;
}
