using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MultiRaft.Transport.Tests;

public sealed class SiloTransportTests
{
    [Fact]
    public async Task Messages_reach_each_destination_silo_and_an_unknown_silo_is_unreachable()
    {
        await using var b = await TestSilo.StartAsync("silo-b");
        await using var c = await TestSilo.StartAsync("silo-c");
        var reporter = new RecordingReporter();
        await using var transport = new SiloTransport(Options.Create(Messages.Client("silo-a")), reporter, NullLogger<SiloTransport>.Instance);
        await transport.SetPeerAsync("silo-b", b.EndPoint);
        await transport.SetPeerAsync("silo-c", c.EndPoint);
        await transport.SetPeerAsync("silo-c", c.EndPoint);

        transport.Send("silo-b", 1, Messages.Append(1, 2, 10));
        transport.Send("silo-c", 1, Messages.Append(1, 3, 20));
        var lost = Messages.Append(1, 4, 30);
        transport.Send("silo-d", 1, lost);

        Assert.Equal(10ul, (await b.Sink.Received.WaitForAsync(1)).Single().Message.Index);
        Assert.Equal(20ul, (await c.Sink.Received.WaitForAsync(1)).Single().Message.Index);
        Assert.Equal(new Delivered("silo-d", 1, lost), reporter.Unreachable.Snapshot().Single());
    }

    [Fact]
    public async Task A_moved_silo_is_reached_at_its_new_address_and_a_removed_one_is_unreachable()
    {
        await using var oldAddress = await TestSilo.StartAsync("silo-b");
        await using var newAddress = await TestSilo.StartAsync("silo-b");
        var reporter = new RecordingReporter();
        await using var transport = new SiloTransport(Options.Create(Messages.Client("silo-a")), reporter, NullLogger<SiloTransport>.Instance);
        await transport.SetPeerAsync("silo-b", oldAddress.EndPoint);
        transport.Send("silo-b", 1, Messages.Append(1, 2, 1));
        await oldAddress.Sink.Received.WaitForAsync(1);

        await transport.SetPeerAsync("silo-b", newAddress.EndPoint);
        transport.Send("silo-b", 1, Messages.Append(1, 2, 2));
        Assert.Equal(2ul, (await newAddress.Sink.Received.WaitForAsync(1)).Single().Message.Index);

        await transport.RemovePeerAsync("silo-b");
        transport.Send("silo-b", 1, Messages.Append(1, 2, 3));
        Assert.Equal(3ul, reporter.Unreachable.Snapshot().Single().Message.Index);
        Assert.Equal(1, oldAddress.Sink.Received.Count);
    }

    [Fact]
    public async Task A_host_with_invalid_transport_options_fails_to_start_naming_the_setting()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => TestSilo.StartAsync("silo-a", maxFrameSize: 10));

        Assert.Contains("MaxFrameSize 10", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_are_refused_with_a_clear_message()
    {
        var options = Messages.Client("silo-a");
        options.ClusterId = "";

        var ex = Assert.Throws<ArgumentException>(() =>
            new SiloTransport(Options.Create(options), new RecordingReporter(), NullLogger<SiloTransport>.Instance));
        Assert.Contains("ClusterId", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Action<TransportOptions>> BadNewSettings() => new()
    {
        { "SnapshotChunkSize 0", o => o.SnapshotChunkSize = 0 },
        { "MaxSnapshotBytes 0", o => o.MaxSnapshotBytes = 0 },
        { "MaxSnapshotBytes 4294967296", o => o.MaxSnapshotBytes = 1L << 32 },
        { "WriteTimeout", o => o.WriteTimeout = TimeSpan.Zero },
    };

    [Theory]
    [MemberData(nameof(BadNewSettings))]
    public void Invalid_snapshot_and_write_timeout_settings_are_refused_naming_them(string named, Action<TransportOptions> spoil)
    {
        var options = Messages.Client("silo-a");
        spoil(options);

        var ex = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void New_settings_default_to_one_mib_chunks_one_gib_snapshots_and_ten_second_writes()
    {
        var options = new TransportOptions();

        Assert.Equal((1024 * 1024, 1L << 30, TimeSpan.FromSeconds(10)),
            (options.SnapshotChunkSize, options.MaxSnapshotBytes, options.WriteTimeout));
    }
}
