using System.Reflection;

namespace MultiRaft.Samples.Tests;

/// <summary>The built entry assemblies of the samples and the silo, as the project file records them.</summary>
internal static class SampleBinaries
{
    public static string EmbeddedShop => Find("EmbeddedShop");

    public static string ClientQuickstart => Find("ClientQuickstart");

    public static string Silo => Find("MultiRaft.Silo");

    private static string Find(string name)
    {
        var path = Path.GetFullPath(typeof(SampleBinaries).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == name).Value!);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: build tests/Samples.Tests in the same configuration, which builds it.", path);
    }
}
