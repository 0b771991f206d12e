using Microsoft.Win32.SafeHandles;

namespace MultiRaft.Storage.FileWal;

/// <summary>
/// One process per WAL directory: a lock file opened with <see cref="FileShare.None"/> and kept
/// open. On Linux .NET takes <c>flock(LOCK_EX | LOCK_NB)</c> for <see cref="FileShare.None"/>, an
/// advisory lock on the open file description, so it shuts out another process and a second open
/// in this process alike; on Windows the share mode does the same. The kernel lets go of a flock
/// when the last descriptor closes, which includes the holder dying in any way (kill -9 too): a
/// crashed silo leaves no stale lock, so there is nothing to clean up, and the file is never
/// deleted (deleting it while held would let the next opener lock a fresh file beside the holder).
///
/// <para>.NET takes no lock where the file system has none (ENOTSUP or ENOLCK, as on some network
/// mounts) or when <c>System.IO.DisableFileLocking</c> (<c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>) is
/// set: the WAL belongs on a local disk, with that switch off.</para>
/// </summary>
internal static class DirectoryLock
{
    /// <summary>The lock file's name inside the directory.</summary>
    public const string FileName = "LOCK";

    // A lock held elsewhere surfaces as a plain IOException whose HResult is the errno
    // EWOULDBLOCK (11 on Linux, 35 on macOS and the BSDs), or as a sharing violation on Windows.
    private const int SharingViolation = unchecked((int)0x80070020);
    private const int WouldBlockLinux = 11;
    private const int WouldBlockBsd = 35;

    /// <summary>
    /// Takes <paramref name="directory"/> until the returned handle is disposed; throws
    /// <see cref="StorageLockedException"/> if another holds it.
    /// </summary>
    public static SafeFileHandle Take(string directory)
    {
        var path = Path.Combine(directory, FileName);
        try
        {
            return File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (IsHeldElsewhere(e))
        {
            throw new StorageLockedException(directory, path, e);
        }
    }

    private static bool IsHeldElsewhere(IOException e) =>
        e.GetType() == typeof(IOException)
        && e.HResult == (OperatingSystem.IsWindows() ? SharingViolation : OperatingSystem.IsLinux() ? WouldBlockLinux : WouldBlockBsd);
}
