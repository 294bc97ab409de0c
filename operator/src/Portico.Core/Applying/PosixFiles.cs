using System.Runtime.InteropServices;

namespace Portico.Core.Applying;

/// <summary>
/// rename(2), which .NET has no API for when the source is a symlink to a directory: File.Move follows the link and
/// finds a directory (FileNotFoundException), Directory.Move refuses an existing destination. rename(2) replaces the
/// destination link atomically: a reader of the path sees the old link or the new one, never none.
/// </summary>
public static class PosixFiles
{
    /// <summary>Renames <paramref name="source"/> over <paramref name="destination"/> (same file system).</summary>
    public static void Rename(string source, string destination)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(destination);
        if (RenameNative(source, destination) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"rename {source} to {destination} failed (errno {errno})", errno);
        }
    }

    // DllImport rather than LibraryImport: the generated marshaller needs unsafe code (as in PosixSignals).
    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int RenameNative([MarshalAs(UnmanagedType.LPUTF8Str)] string source, [MarshalAs(UnmanagedType.LPUTF8Str)] string destination);
}
