using System.Diagnostics;
using System.Globalization;
using Portico.Core.Applying;

namespace Portico.Local;

/// <summary>
/// The process group local mode gives its proxy, so that everything the proxy forked (nginx's workers, cache
/// manager and loader) can be ended with one kill(2), even after the proxy itself died and its children were handed
/// to init: that is what they hold on to, the listening sockets, and a new nginx cannot bind while they live.
/// </summary>
/// <remarks>
/// .NET's Process cannot put a child into a group of its own (it forks and execs in the caller's group; there is no
/// setsid/setpgid hook, and a child spawned through posix_spawn by P/Invoke would not be a <see cref="Process"/>
/// that .NET reaps and waits for). So the proxy is started through setsid(1) (util-linux; /usr/bin/setsid on Debian
/// and most Linux distributions), which calls setsid(2) and then execs the proxy in place: the child Portico forked
/// is not a group leader, so setsid does not fork, and the <see cref="Process"/> Portico holds is the proxy itself,
/// leader of a new session and group whose id is its pid. Finding the workers by parent pid instead would not work
/// once the master is gone (they are re-parented), and killing Portico's own group would kill Portico. The new
/// session also takes the proxy off the terminal: Ctrl+C reaches Portico only, which stops the proxy gracefully.
/// The group id cannot be taken by another process while a member of the group lives, so signalling it right after
/// its leader exited reaches only the proxy's own leftovers.
/// </remarks>
internal static class ProcessGroup
{
    private const int KillSignal = 9;

    /// <summary>setsid(1) on this machine, or null (not Linux, or util-linux missing).</summary>
    public static string? SetsidBinary { get; } = ExecutableLookup.Find("setsid", "/usr/bin", "/bin");

    /// <summary>
    /// <paramref name="start"/> run as the leader of a new session and process group, through setsid(1) when there is
    /// one; null when there is none (the proxy then shares Portico's group, and its leftovers cannot be ended).
    /// </summary>
    public static ProcessStartInfo? InNewSession(ProcessStartInfo start)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (SetsidBinary is null)
        {
            return null;
        }

        var wrapped = new ProcessStartInfo(SetsidBinary)
        {
            UseShellExecute = false,
            WorkingDirectory = start.WorkingDirectory,
            RedirectStandardInput = start.RedirectStandardInput,
            RedirectStandardOutput = start.RedirectStandardOutput,
            RedirectStandardError = start.RedirectStandardError,
        };
        wrapped.ArgumentList.Add(start.FileName);
        foreach (string argument in start.ArgumentList)
        {
            wrapped.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in start.Environment)
        {
            wrapped.Environment[name] = value;
        }

        return wrapped;
    }

    /// <summary>Sends SIGKILL to every process in group <paramref name="groupId"/>; false when the group is empty.</summary>
    public static bool Kill(int groupId) => groupId > 1 && PosixSignals.TrySend(-groupId, KillSignal, out _);

    /// <summary>
    /// Whether a process of group <paramref name="groupId"/> is still alive. Killed processes stay zombies until their
    /// new parent (init) reaps them, which can take seconds; a zombie holds no sockets, so it does not count. Read from
    /// /proc where there is one; elsewhere any member counts, zombie or not.
    /// </summary>
    public static bool HasLiveMembers(int groupId)
    {
        if (!Directory.Exists("/proc/self"))
        {
            return PosixSignals.TrySend(-groupId, 0, out _);
        }

        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out _)
                && ReadStat(directory) is { } stat
                && stat.Group == groupId
                && stat.State != 'Z'
                && stat.State != 'X')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>State and process group from /proc/PID/stat ("pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses).</summary>
    private static (char State, int Group)? ReadStat(string directory)
    {
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(directory, "stat"));
        }
        catch (IOException)
        {
            return null; // The process ended while we looked.
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        int end = text.LastIndexOf(')');
        if (end < 0)
        {
            return null;
        }

        string[] fields = text[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 2 && fields[0].Length == 1 && int.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out int group)
            ? (fields[0][0], group)
            : null;
    }
}
