using System.Diagnostics;
using System.Text;

namespace Portico.Cli;

/// <summary>
/// The manifest paths as they were at a git revision (`portico plan --base origin/main`), so CI needs no second
/// checkout: each path's files are listed with `git ls-tree` and read with `git show REV:FILE` into a temporary
/// directory, keeping their relative layout (the manifest reader then sees the same tree). A path that did not exist
/// at the revision contributes nothing: everything under it is "added". Dispose removes the directory.
/// </summary>
internal sealed class GitRevisionManifests : IDisposable
{
    private static readonly TimeSpan GitTimeout = TimeSpan.FromSeconds(60);

    private readonly string _root;

    private GitRevisionManifests(string root, IReadOnlyList<string> paths)
    {
        _root = root;
        Paths = paths;
    }

    /// <summary>The materialized paths to read, one per given path that existed at the revision.</summary>
    public IReadOnlyList<string> Paths { get; }

    /// <summary>Reads <paramref name="manifestPaths"/> at <paramref name="revision"/>; an IOException says why not (not a repository, unknown revision).</summary>
    public static GitRevisionManifests Read(string revision, IEnumerable<string> manifestPaths)
    {
        if (revision.StartsWith('-'))
        {
            throw new IOException($"--base \"{revision}\" is neither a path nor a git revision");
        }

        string root = Path.Combine(Path.GetTempPath(), $"portico-plan-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        try
        {
            var paths = new List<string>();
            int index = 0;
            foreach (string given in manifestPaths)
            {
                string full = Path.GetFullPath(given);
                string directory = Directory.Exists(full) ? full : Path.GetDirectoryName(full)!;
                string top = Encoding.UTF8.GetString(Git(directory, "rev-parse", "--show-toplevel")).TrimEnd('\n');
                Git(top, "rev-parse", "--verify", "--quiet", revision + "^{commit}");
                string relative = Path.GetRelativePath(top, full).Replace(Path.DirectorySeparatorChar, '/');
                if (relative.StartsWith("..", StringComparison.Ordinal))
                {
                    throw new IOException($"{given} is outside the git repository {top}");
                }

                string target = Path.Combine(root, (index++).ToString(System.Globalization.CultureInfo.InvariantCulture));
                string listing = Encoding.UTF8.GetString(Git(top, "ls-tree", "-r", "-z", "--name-only", revision, "--", relative == "." ? "." : relative));
                var files = listing.Split('\0', StringSplitOptions.RemoveEmptyEntries);
                foreach (string file in files)
                {
                    string destination = Path.Combine(target, file);
                    Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                    File.WriteAllBytes(destination, Git(top, "show", $"{revision}:{file}"));
                }

                if (files.Length > 0)
                {
                    paths.Add(relative == "." ? target : Path.Combine(target, relative));
                }
            }

            return new GitRevisionManifests(root, paths);
        }
        catch
        {
            Directory.Delete(root, recursive: true);
            throw;
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>Runs git and returns its stdout; a failure (or more than a minute) is an IOException with git's own message.</summary>
    private static byte[] Git(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new IOException("git could not be started");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new IOException($"--base needs git to read a revision: {e.Message}", e);
        }

        using (process)
        {
            using var stdout = new MemoryStream();
            var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(GitTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw new IOException($"git {string.Join(' ', args)} did not finish within {GitTimeout.TotalSeconds:F0} s");
            }

            copy.Wait(GitTimeout);
            if (process.ExitCode != 0)
            {
                string message = stderr.Wait(GitTimeout) ? stderr.Result.Trim() : string.Empty;
                throw new IOException($"git {string.Join(' ', args)} failed in {directory}{(message.Length > 0 ? ": " + message : " (no such revision?)")}");
            }

            return stdout.ToArray();
        }
    }
}
