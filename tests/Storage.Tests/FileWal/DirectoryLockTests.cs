using System.Diagnostics;
using MultiRaft.Raft;
using MultiRaft.Storage.FileWal;
using static MultiRaft.Storage.Tests.FileWal.WalKit;

namespace MultiRaft.Storage.Tests.FileWal;

/// <summary>
/// One process per data directory: a provider takes its directory's lock when it opens and holds
/// it until it is disposed. A second provider, in this process or another, fails at open naming
/// the directory; the lock is the kernel's flock, so another process sees it and a dead holder
/// leaves none behind. On real files, in a temporary directory per test.
/// </summary>
public sealed class DirectoryLockTests : IDisposable
{
    private static readonly ReplicaId A = new(1, 1);
    private static readonly TimeSpan ChildDeadline = TimeSpan.FromSeconds(30);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "multiraft-wal-" + Guid.NewGuid().ToString("N"));

    private string LockFile => Path.Combine(_directory, "LOCK");

    private FileWalProvider NewProvider() => new(new FileWalOptions { Directory = _directory, PreallocateSize = 0 });

    private string ExpectedMessage =>
        $"the storage directory {_directory} is in use by another MultiRaft process (silo), which holds its lock {LockFile}: "
        + "one silo per data directory, so stop that silo or give this one a directory of its own";

    [Fact]
    public async Task ASecondProviderInThisProcessFailsAtOpenNamingTheDirectory()
    {
        await using var first = NewProvider();
        await first.RecoverAsync(Ct);
        await AppendDurably(first, A, new HardState(1, 1, 2), Entries(1, 1, 3));
        await using var second = NewProvider();

        var e = await Assert.ThrowsAsync<StorageLockedException>(async () => await second.RecoverAsync(Ct));

        Assert.IsAssignableFrom<IOException>(e); // the silo's Program reports it at start and exits
        Assert.Equal(_directory, e.Directory);
        Assert.Equal(ExpectedMessage, e.Message);
        Assert.Throws<InvalidOperationException>(() => second.Append(A, null, Entries(1, 4, 1)));
        await AppendDurably(first, A, new HardState(1, 1, 3), Entries(1, 4, 1)); // the holder is untouched
    }

    [Fact]
    public async Task AClaimTakesTheDirectoryBeforeRecoveryWhichThenKeepsIt()
    {
        await using (var writer = NewProvider())
        {
            await writer.RecoverAsync(Ct);
            await AppendDurably(writer, A, new HardState(1, 1, 2), Entries(1, 1, 3));
        }

        await using var claimed = NewProvider();
        claimed.Claim();
        await using (var second = NewProvider())
        {
            // Refused by the claim alone: nothing has been read yet.
            var e = Assert.Throws<StorageLockedException>(second.Claim);
            Assert.Equal(ExpectedMessage, e.Message);
            await Assert.ThrowsAsync<StorageLockedException>(async () => await second.RecoverAsync(Ct));
        }

        var recovered = Assert.Single(await claimed.RecoverAsync(Ct));
        Assert.Equal(3UL, recovered.Entries[^1].Index);
        await using var third = NewProvider();
        Assert.Throws<StorageLockedException>(third.Claim); // recovery kept the claim's lock
        await claimed.DisposeAsync();
        third.Claim(); // and disposal let go of it
    }

    [Fact]
    public async Task OnceTheHolderIsDisposedANewProviderOpensAndRecoversWhatItWrote()
    {
        await using var first = NewProvider();
        await first.RecoverAsync(Ct);
        await AppendDurably(first, A, new HardState(1, 1, 2), Entries(1, 1, 3));
        await using (var refused = NewProvider())
        {
            await Assert.ThrowsAsync<StorageLockedException>(async () => await refused.RecoverAsync(Ct));
        }

        await first.DisposeAsync();
        await using var next = NewProvider();
        var state = (await next.RecoverAsync(Ct)).ToDictionary(r => r.Replica);

        Assert.Equal(A, Assert.Single(state.Keys));
        Assert.Equal(new HardState(1, 1, 2), state[A].HardState);
        Assert.Equal(Entries(1, 1, 3), state[A].Entries);
    }

    [Fact]
    public async Task AnotherProcessHoldingTheLockRefusesTheOpenUntilItDies()
    {
        await using (var writer = NewProvider())
        {
            await writer.RecoverAsync(Ct);
            await AppendDurably(writer, A, new HardState(1, 1, 2), Entries(1, 1, 3));
        }

        // flock(1) without forking: the process that prints "locked" is the one holding the
        // lock, so once it has been reaped the lock is gone.
        using var holder = Start("flock", "--no-fork", "--exclusive", LockFile, "-c", "echo locked; exec sleep 60");
        try
        {
            Assert.Equal("locked", await holder.StandardOutput.ReadLineAsync(Ct).AsTask().WaitAsync(ChildDeadline, Ct));
            await using (var refused = NewProvider())
            {
                var e = await Assert.ThrowsAsync<StorageLockedException>(async () => await refused.RecoverAsync(Ct));
                Assert.Equal(ExpectedMessage, e.Message);
            }
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            await holder.WaitForExitAsync(Ct).WaitAsync(ChildDeadline, Ct);
        }

        await using var next = NewProvider();
        var state = (await next.RecoverAsync(Ct)).ToDictionary(r => r.Replica);
        Assert.Equal(Entries(1, 1, 3), state[A].Entries);
    }

    [Fact]
    public async Task AnotherProcessSeesTheLockWhileTheProviderIsOpenAndNotAfter()
    {
        await using var p = NewProvider();
        await p.RecoverAsync(Ct);

        Assert.Equal(1, await TryLockAsync()); // flock -n: 1 is "held by someone else"

        await p.DisposeAsync();

        Assert.Equal(0, await TryLockAsync());
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task<int> TryLockAsync()
    {
        using var child = Start("flock", "--nonblock", "--exclusive", LockFile, "-c", "true");
        await child.WaitForExitAsync(Ct).WaitAsync(ChildDeadline, Ct);
        return child.ExitCode;
    }

    private static Process Start(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, UseShellExecute = false };
        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
    }
}
