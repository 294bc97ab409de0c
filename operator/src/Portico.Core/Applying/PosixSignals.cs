using System.Runtime.InteropServices;

namespace Portico.Core.Applying;

/// <summary>POSIX calls .NET has no API for: sending signals (Process.Kill only sends SIGKILL), renaming over a symlink.</summary>
public static class PosixSignals
{
    public const int Hangup = 1;
    public const int Quit = 3;

    /// <summary>errno when the process does not exist.</summary>
    public const int NoSuchProcess = 3;

    /// <summary>kill(2): true on success; otherwise <paramref name="errno"/> says why.</summary>
    public static bool TrySend(int pid, int signal, out int errno)
    {
        if (Kill(pid, signal) == 0)
        {
            errno = 0;
            return true;
        }

        errno = Marshal.GetLastPInvokeError();
        return false;
    }

    /// <summary>rename(2): atomically replaces <paramref name="to"/> (File.Move follows a symlink to a directory and refuses).</summary>
    public static void Rename(string from, string to)
    {
        if (RenameNative(from, to) != 0)
        {
            throw new IOException($"rename {from} -> {to} failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    [DllImport("libc", EntryPoint = "rename", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int RenameNative(string from, string to);

    // DllImport rather than LibraryImport: the generated marshaller needs unsafe code, and two ints need none.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
