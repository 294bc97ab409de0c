using System.Diagnostics;
using Portico.TestSupport;

namespace Portico.Tests.Docs;

/// <summary>
/// Where doc commands run: a git clone (its origin/main holds the plan test's base manifests in deploy/manifests, the
/// working tree the changed ones, as a pull request's CI sees it) that also holds, as links to this repository,
/// manifests/, config/, crds/, templates/ and docs/, so the docs' paths resolve and nothing they write lands in the
/// repository. old/ and new/ are the two sides as plain directories; deploy/portico.yaml is config/portico.yaml.
/// </summary>
internal sealed class DocSandbox : IDisposable
{
    private readonly string _root;

    public DocSandbox()
    {
        _root = Path.Combine(Path.GetTempPath(), $"portico-docs-{Guid.NewGuid():N}");
        string planData = RepositoryPaths.Combine("operator", "tests", "Portico.Tests", "plandata");
        string upstream = Path.Combine(_root, "upstream");
        Copy(Path.Combine(planData, "base"), Path.Combine(upstream, "deploy", "manifests"));
        Git(upstream, "init", "-q", "-b", "main");
        Git(upstream, "add", ".");
        Git(upstream, "-c", "user.name=Portico Test", "-c", "user.email=test@portico.invalid", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "base");
        Directory = Path.Combine(_root, "work");
        Git(_root, "clone", "-q", upstream, Directory);
        Git(Directory, "config", "user.name", "Portico Test");
        Git(Directory, "config", "user.email", "test@portico.invalid");
        string manifests = Path.Combine(Directory, "deploy", "manifests");
        System.IO.Directory.Delete(manifests, recursive: true);
        Copy(Path.Combine(planData, "head"), manifests);
        Copy(Path.Combine(planData, "base"), Path.Combine(Directory, "old"));
        Copy(Path.Combine(planData, "head"), Path.Combine(Directory, "new"));
        File.Copy(RepositoryPaths.Combine("config", "portico.yaml"), Path.Combine(Directory, "deploy", "portico.yaml"));
        foreach (string linked in new[] { "manifests", "config", "crds", "templates", "docs" })
        {
            System.IO.Directory.CreateSymbolicLink(Path.Combine(Directory, linked), RepositoryPaths.Combine(linked));
        }
    }

    /// <summary>The working directory of the commands.</summary>
    public string Directory { get; }

    public void Dispose() => System.IO.Directory.Delete(_root, recursive: true);

    private static void Copy(string from, string to)
    {
        System.IO.Directory.CreateDirectory(to);
        foreach (string file in System.IO.Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static void Git(string directory, params string[] args)
    {
        System.IO.Directory.CreateDirectory(directory);
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "git finished");
        Assert.That(process.ExitCode, Is.EqualTo(0), $"git {string.Join(' ', args)}: {stderr.Result}");
    }
}
