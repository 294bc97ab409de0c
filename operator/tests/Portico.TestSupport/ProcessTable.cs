using System.Globalization;

namespace Portico.TestSupport;

/// <summary>What /proc says about processes: their group, their parent, whether they still run (a zombie does not).</summary>
public static class ProcessTable
{
    /// <summary>The processes of group <paramref name="group"/> that have not exited (zombies left out).</summary>
    public static IReadOnlyList<int> LiveMembers(int group) =>
        All().Where(p => p.Group == group && p.State is not ('Z' or 'X')).Select(p => p.Pid).Order().ToList();

    /// <summary>Whether <paramref name="pid"/> is a process that has not exited (a zombie has).</summary>
    public static bool IsAlive(int pid) => Read(pid) is { State: not ('Z' or 'X') };

    /// <summary>The process group of <paramref name="pid"/>, or null when there is no such process.</summary>
    public static int? GroupOf(int pid) => Read(pid)?.Group;

    private static IEnumerable<(int Pid, char State, int Group)> All()
    {
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && Read(pid) is { } entry)
            {
                yield return entry;
            }
        }
    }

    private static (int Pid, char State, int Group)? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses.
        string[] fields = text[(text.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (pid, fields[0][0], int.Parse(fields[2], CultureInfo.InvariantCulture));
    }
}
