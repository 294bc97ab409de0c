using System.Runtime.InteropServices;

namespace Portico.TestSupport.Nginx;

/// <summary>POSIX signals .NET has no API to send (Process.Kill only sends SIGKILL).</summary>
internal static class Signals
{
    public const int Quit = 3;

    /// <summary>kill(2): 0 on success, -1 on failure.</summary>
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Kill(int pid, int signal);
}
