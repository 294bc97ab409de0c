using System.Diagnostics;
using Portico.TestSupport;
using YamlDotNet.RepresentationModel;

namespace Portico.Tests.Cli;

/// <summary>
/// The CI jobs docs/ci-diff.md offers are real: both parse as YAML, and their portico commands, run as the CI runner
/// would run them (bash, the job's variables, a clone whose origin holds the base branch), produce the plan.
/// </summary>
public sealed class CiWorkflowTests
{
    private static string PlanData => RepositoryPaths.Combine("operator", "tests", "Portico.Tests", "plandata");

    private string _work = string.Empty;

    [SetUp]
    public void CreateWorkDirectory()
    {
        _work = Path.Combine(Path.GetTempPath(), $"portico-ci-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_work);
    }

    [TearDown]
    public void RemoveWorkDirectory() => Directory.Delete(_work, recursive: true);

    [Test]
    public void The_GitHub_workflow_parses_and_its_plan_step_writes_the_comment_and_the_exit_code()
    {
        var workflow = Parse(DocBlock("name: portico-plan\n"));
        var job = (YamlMappingNode)((YamlMappingNode)workflow["jobs"])["plan"];
        var steps = ((YamlSequenceNode)job["steps"]).Cast<YamlMappingNode>().ToList();
        Assert.That(steps.Select(s => s.Children.TryGetValue("name", out var n) ? n.ToString() : null), Does.Contain("Post or update the plan comment"));
        var plan = steps.Single(s => s.Children.TryGetValue("name", out var n) && n.ToString() == "Plan");
        var jobEnv = (YamlMappingNode)job["env"];

        string repository = CloneWithChange();
        string runnerTemp = RunnerTemp();
        string output = Path.Combine(_work, "github-output");
        var environment = new Dictionary<string, string>
        {
            ["PORTICO"] = jobEnv["PORTICO"].ToString().Replace("${{ runner.temp }}", runnerTemp, StringComparison.Ordinal),
            ["MANIFESTS"] = jobEnv["MANIFESTS"].ToString(),
            ["BASE_REF"] = "main", // ${{ github.base_ref }} of a pull request into main
            ["GITHUB_OUTPUT"] = output,
        };
        var run = Bash(repository, plan["run"].ToString(), environment);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        Assert.That(File.ReadAllText(output), Is.EqualTo("exit=1\n"), "routes changed");
        Assert.That(File.ReadAllText(Path.Combine(repository, "portico-plan.md")), Is.EqualTo(File.ReadAllText(Path.Combine(PlanData, "expected", "plan.md"))));
    }

    [Test]
    public void The_GitLab_job_parses_and_its_plan_command_writes_the_plan()
    {
        var job = (YamlMappingNode)Parse(DocBlock("portico-plan:\n"))["portico-plan"];
        var script = ((YamlSequenceNode)job["script"]).Select(line => line.ToString()).ToList();
        var variables = (YamlMappingNode)job["variables"];
        string planLine = script.Single(line => line.Contains("portico.dll plan", StringComparison.Ordinal));
        string check = script.Single(line => line.StartsWith("test ", StringComparison.Ordinal));

        string repository = CloneWithChange();
        string runnerTemp = RunnerTemp();
        var environment = new Dictionary<string, string>
        {
            ["MANIFESTS"] = variables["MANIFESTS"].ToString(),
            ["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"] = "main",
        };
        var run = Bash(repository, planLine.Replace("/tmp/portico/", runnerTemp + "/portico/", StringComparison.Ordinal) + "\n" + check, environment);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        Assert.That(File.ReadAllText(Path.Combine(repository, "portico-plan.md")), Is.EqualTo(File.ReadAllText(Path.Combine(PlanData, "expected", "plan.md"))));
    }

    /// <summary>The fenced yaml block of docs/ci-diff.md that begins with <paramref name="firstLine"/>.</summary>
    private static string DocBlock(string firstLine)
    {
        string doc = File.ReadAllText(RepositoryPaths.Combine("docs", "ci-diff.md"));
        string fence = "```yaml\n" + firstLine;
        int start = doc.IndexOf(fence, StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), $"docs/ci-diff.md has a yaml block starting with {firstLine.Trim()}");
        start += "```yaml\n".Length;
        return doc[start..doc.IndexOf("\n```", start, StringComparison.Ordinal)];
    }

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    /// <summary>An "upstream" repository whose main holds plandata/base in deploy/manifests, cloned, with plandata/head checked out on top.</summary>
    private string CloneWithChange()
    {
        string upstream = Path.Combine(_work, "upstream");
        Copy(Path.Combine(PlanData, "base"), Path.Combine(upstream, "deploy", "manifests"));
        Run(upstream, "git", "init", "-q", "-b", "main");
        Run(upstream, "git", "add", ".");
        Run(upstream, "git", "-c", "user.name=Portico Test", "-c", "user.email=test@portico.invalid", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "base");
        string clone = Path.Combine(_work, "clone");
        Run(_work, "git", "clone", "-q", upstream, clone);
        string manifests = Path.Combine(clone, "deploy", "manifests");
        Directory.Delete(manifests, recursive: true);
        Copy(Path.Combine(PlanData, "head"), manifests);
        return clone;
    }

    /// <summary>A stand-in for $RUNNER_TEMP: its portico/ is the built executable's directory, where `dotnet publish -o` would put it.</summary>
    private string RunnerTemp()
    {
        string runnerTemp = Path.Combine(_work, "runner");
        Directory.CreateDirectory(runnerTemp);
        Directory.CreateSymbolicLink(Path.Combine(runnerTemp, "portico"), Path.GetDirectoryName(PorticoExecutable.Dll)!);
        return runnerTemp;
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static (int ExitCode, string Stdout, string Stderr) Bash(string directory, string script, Dictionary<string, string> environment) =>
        Run(directory, environment, "bash", "-eo", "pipefail", "-c", script);

    private static void Run(string directory, params string[] command)
    {
        Directory.CreateDirectory(directory);
        var result = Run(directory, [], command);
        Assert.That(result.ExitCode, Is.EqualTo(0), $"{string.Join(' ', command)}: {result.Stderr}");
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(string directory, Dictionary<string, string> environment, params string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{command[0]} did not finish within 60 s");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
