using System.Collections.Concurrent;
using System.Diagnostics;
using Portico.TestSupport;

namespace Portico.Tests.Deploy;

/// <summary>
/// `kubectl kustomize` as a child process (bounded to 60 s), once per directory per test run. kubectl is a test
/// prerequisite like nginx: missing, the tests fail and say so (CI counts a skipped test as a failure anyway).
/// </summary>
internal static class Kustomize
{
    /// <summary>The kustomizations a user installs, relative to manifests/: the base and every overlay.</summary>
    public static readonly string[] Installable = ["base", "overlays/envoy", "overlays/single-namespace", "overlays/static-nginx"];

    /// <summary>Every optional component, applied together on the base (a kustomization written for the test).</summary>
    public const string BaseWithComponents = "base+components";

    public static readonly string[] Variants = [.. Installable, BaseWithComponents];

    private static readonly ConcurrentDictionary<string, Lazy<string>> Built = new(StringComparer.Ordinal);

    /// <summary>The YAML `kubectl kustomize` prints for a variant (cached).</summary>
    public static string Build(string variant) =>
        Built.GetOrAdd(variant, v => new Lazy<string>(() => v == BaseWithComponents ? BuildWithComponents() : Run(RepositoryPaths.Combine("manifests", v)))).Value;

    /// <summary>Runs `kubectl kustomize DIR`; a failure (or no kubectl) fails the test with kubectl's message.</summary>
    public static string Run(string directory)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(directory);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"kubectl is needed to build manifests/ (kubectl kustomize) and was not found on PATH: {e.Message}. Install kubectl 1.27 or later.");
            throw;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"kubectl kustomize {directory} did not finish within 60 s");
            }

            Assert.That(process.ExitCode, Is.EqualTo(0), $"kubectl kustomize {directory} failed: {stderr.Result}");
            return stdout.Result;
        }
    }

    /// <summary>
    /// The base with every component of manifests/components, through a kustomization in a temporary directory
    /// (kustomize wants relative paths to other kustomizations).
    /// </summary>
    private static string BuildWithComponents()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"portico-kustomize-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            string Relative(params string[] parts) => Path.GetRelativePath(directory, RepositoryPaths.Combine(parts));
            var components = Directory.GetDirectories(RepositoryPaths.Combine("manifests", "components")).Order(StringComparer.Ordinal)
                .Select(c => $"  - {Relative("manifests", "components", Path.GetFileName(c))}\n");
            File.WriteAllText(Path.Combine(directory, "kustomization.yaml"), $"""
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - {Relative("manifests", "base")}
                components:
                {string.Concat(components)}
                """);
            return Run(directory);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
