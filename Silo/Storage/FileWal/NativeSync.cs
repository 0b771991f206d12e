using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MultiRaft.Storage.FileWal;

/// <summary>
/// The two syncs .NET does not offer as such. <see cref="RandomAccess.FlushToDisk"/> is a full
/// fsync (it also writes back metadata such as timestamps); a WAL only needs fdatasync, which
/// skips metadata that is not needed to read the data back, and a directory cannot be opened as
/// a .NET file at all, yet its entry for a new or renamed file is only durable once the
/// directory itself is synced.
/// </summary>
internal static class NativeSync
{
    /// <summary>Makes a file's data durable: fdatasync on Linux, the portable full flush elsewhere.</summary>
    public static void DataSync(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (fdatasync((int)handle.DangerousGetHandle()) != 0)
            {
                throw new IOException($"fdatasync failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Makes a directory's entries durable (a no-op on Windows, where it cannot be done this way).</summary>
    public static void SyncDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = open(path, 0);
        if (fd < 0)
        {
            throw new IOException($"open {path} for sync failed: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            if (fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {path} failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code in the assembly; these signatures are blittable.
    [DllImport("libc", SetLastError = true)]
    private static extern int fdatasync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
#pragma warning restore SYSLIB1054
}
