using System.Diagnostics;
using System.Reflection.PortableExecutable;
using Portico.TestSupport;

namespace Portico.Tests.Deploy;

/// <summary>
/// The operator image's build stage, run here without Docker: the sources its COPY lines name, copied into an empty
/// directory, and its `dotnet publish` command run there, unchanged but for the output directory. The result must be
/// a ReadyToRun `portico` that runs. Slow (a full Release compile plus crossgen), so it has its own category and CI
/// runs it once, with the rest of the tests.
/// </summary>
[Category("ImagePublish")]
public sealed class ImagePublishTests
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(15);

    private string _work = string.Empty;

    [SetUp]
    public void CreateWorkDirectory()
    {
        _work = Path.Combine(Path.GetTempPath(), $"portico-image-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_work);
    }

    [TearDown]
    public void RemoveWorkDirectory() => Directory.Delete(_work, recursive: true);

    /// <summary>The build stage: every instruction before the final FROM.</summary>
    private static List<string> BuildStage
    {
        get
        {
            var all = Dockerfile.Operator.Instructions;
            return [.. all.Take(all.Count - Dockerfile.Operator.FinalStage.Count)];
        }
    }

    /// <summary>(source, destination) of the build stage's COPY lines, relative to the build context (the repository root) and WORKDIR.</summary>
    private static List<(string Source, string Destination)> Copies =>
        [.. BuildStage.Where(i => i.StartsWith("COPY ", StringComparison.Ordinal)).SelectMany(i =>
        {
            string[] parts = i["COPY ".Length..].Split(' ');
            Assert.That(parts[0], Does.Not.StartWith("--"), i);
            return parts[..^1].Select(source => (source.TrimEnd('/'), parts.Length == 2 && parts[^1] != "./" ? parts[^1].TrimEnd('/') : source.TrimEnd('/')));
        })];

    [Test]
    public void The_dockerignore_lets_in_exactly_what_the_build_stage_copies()
    {
        var allowed = File.ReadAllLines(RepositoryPaths.Combine("images", "operator", "Dockerfile.dockerignore"))
            .Where(l => l.StartsWith('!')).Select(l => l[1..].TrimEnd('/'));
        Assert.That(allowed, Is.EquivalentTo(Copies.Select(c => c.Source)));
        Assert.That(Copies, Has.All.Matches<(string Source, string Destination)>(c => c.Source == c.Destination), "the tree keeps its shape (Directory.Build.props finds RepoRoot by it)");
    }

    [Test]
    [NonParallelizable]
    public void The_build_stage_publishes_a_ReadyToRun_portico_that_runs()
    {
        foreach (var (source, destination) in Copies)
        {
            Copy(RepositoryPaths.Combine(source), Path.Combine(_work, destination));
        }

        string publish = BuildStage.Single(i => i.StartsWith("RUN dotnet publish ", StringComparison.Ordinal))["RUN ".Length..];
        string[] argv = publish.Split(' ');
        int output = Array.IndexOf(argv, "-o");
        Assert.That(output, Is.GreaterThan(0), publish);
        Assert.That(argv, Does.Contain("-p:PublishReadyToRun=true").And.Contain("linux-x64").And.Contain("Release"));
        string app = Path.Combine(_work, "app");
        argv[output + 1] = app;

        var (exit, log) = Run(_work, PublishTimeout, argv);
        Assert.That(exit, Is.EqualTo(0), log);

        Assert.That(File.Exists(Path.Combine(app, "portico")), Is.True, "the apphost the image's ENTRYPOINT names");
        Assert.That(Dockerfile.Operator.ExecForm("ENTRYPOINT"), Is.EqualTo(new[] { "/app/portico" }));
        using (var pe = new PEReader(File.OpenRead(Path.Combine(app, "portico.dll"))))
        {
            Assert.That(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size, Is.GreaterThan(0), "portico.dll is ReadyToRun");
        }

        string shared = Path.Combine(_work, "shared");
        var (runExit, runLog) = Run(_work, TimeSpan.FromSeconds(60), "dotnet", Path.Combine(app, "portico.dll"), "bootstrap", "--shared-dir", shared);
        Assert.That(runExit, Is.EqualTo(0), runLog);
        Assert.That(File.Exists(Path.Combine(shared, "current", "nginx.conf")), Is.True);
    }

    private static void Copy(string source, string destination)
    {
        if (File.Exists(source))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(source, destination);
            return;
        }

        Assert.That(Directory.Exists(source), Is.True, $"COPY source {source} exists");
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(source, file);
            if (relative.Split('/').Any(part => part is "bin" or "obj"))
            {
                continue; // Dockerfile.dockerignore keeps build output out of the context.
            }

            string target = Path.Combine(destination, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static (int ExitCode, string Output) Run(string directory, TimeSpan timeout, params string[] argv)
    {
        var start = new ProcessStartInfo(argv[0]) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in argv.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        // The child builds on its own: no build server or node reuse outlives the test.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{string.Join(' ', argv)} did not finish within {timeout.TotalSeconds} s");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
