using System.Runtime.InteropServices;

namespace Portico.Core.Applying;

/// <summary>POSIX signals, which .NET has no API to send (Process.Kill only sends SIGKILL).</summary>
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

    // DllImport rather than LibraryImport: the generated marshaller needs unsafe code, and two ints need none.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
