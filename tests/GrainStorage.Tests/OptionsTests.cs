using Microsoft.Extensions.Options;
using Orleans.Hosting;

namespace MultiRaft.GrainStorage.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(new MultiRaftGrainStorageOptionsValidator().Validate("store", new MultiRaftGrainStorageOptions()).Succeeded);
    }

    [Fact]
    public void Every_bad_setting_is_named()
    {
        var result = new MultiRaftGrainStorageOptionsValidator().Validate("store", new() { MaxStateBytes = 0, MaxKeyBytes = 50 });
        Assert.Equal(
            [
                $"MaxKeyBytes must be at least {GrainStateKey.MinimumMaxKeyBytes("store")} for a provider named 'store' (room for its name and a hash); got 50",
                "MaxStateBytes must be positive; got 0",
            ],
            result.Failures);
        Assert.Equal(["the provider's name must not be empty"], new MultiRaftGrainStorageOptionsValidator().Validate("", new()).Failures);
    }

    [Fact]
    public void Adding_a_provider_with_a_bad_setting_throws_at_once()
    {
        var silo = new TestSiloBuilder();
        var ex = Assert.Throws<OptionsValidationException>(() => silo.AddMultiRaftGrainStorage("store", o => o.MaxStateBytes = -1));
        Assert.Equal(["MaxStateBytes must be positive; got -1"], ex.Failures);
        Assert.Empty(silo.Services);
    }

    private sealed class TestSiloBuilder : ISiloBuilder
    {
        public Microsoft.Extensions.DependencyInjection.IServiceCollection Services { get; } = new Microsoft.Extensions.DependencyInjection.ServiceCollection();

        public Microsoft.Extensions.Configuration.IConfiguration Configuration { get; } = new Microsoft.Extensions.Configuration.ConfigurationManager();
    }
}
