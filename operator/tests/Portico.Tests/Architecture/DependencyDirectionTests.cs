using System.Text.RegularExpressions;
using Portico.TestSupport;

namespace Portico.Tests.Architecture;

/// <summary>
/// The core's dependencies run one way: Model &lt;- Building &lt;- Rendering &lt;- Applying &lt;- Proxies (the bundles),
/// with manifest reading (Manifests) and output writing (Output) beside, explain and plan (Explaining) reading only the model, and the offline pipeline (Offline) composing
/// them for the CLI. A namespace importing one it must not is a design error that compiles fine, so this reads every
/// source file of Portico.Core: its using lines and any qualified name in code (comments left out).
/// </summary>
public sealed partial class DependencyDirectionTests
{
    /// <summary>The namespaces under Portico.Core each one must not use. Namespaces not listed may use anything.</summary>
    private static readonly Dictionary<string, string[]> Forbidden = new(StringComparer.Ordinal)
    {
        ["Model"] = ["Building", "Rendering", "Applying", "Proxies", "Offline", "Manifests", "Output", "Files", "Timing", "Kubernetes", "Values"],
        ["Building"] = ["Rendering", "Applying", "Proxies", "Offline", "Manifests", "Output", "Files", "Timing"],
        ["Rendering"] = ["Building", "Applying", "Proxies", "Offline", "Manifests", "Output", "Files", "Timing", "Kubernetes"],
        ["Applying"] = ["Building", "Proxies", "Offline", "Manifests", "Output", "Timing", "Kubernetes"],
        ["Proxies"] = ["Building", "Offline", "Manifests", "Output", "Timing", "Kubernetes"],
        ["Manifests"] = ["Building", "Rendering", "Applying", "Proxies", "Offline", "Output", "Files"],
        ["Output"] = ["Model", "Building", "Applying", "Proxies", "Offline", "Manifests", "Timing", "Kubernetes"],
        ["Offline"] = ["Applying", "Proxies", "Output"],
        ["Files"] = ["Model", "Building", "Rendering", "Applying", "Proxies", "Offline", "Manifests", "Output", "Timing", "Kubernetes", "Values"],
        ["Timing"] = ["Model", "Building", "Rendering", "Applying", "Proxies", "Offline", "Manifests", "Output", "Files", "Kubernetes", "Values"],
        ["Explaining"] = ["Building", "Rendering", "Applying", "Proxies", "Offline", "Manifests", "Output", "Files", "Timing", "Kubernetes", "Values"],
        ["Values"] = ["Model", "Building", "Rendering", "Applying", "Proxies", "Offline", "Manifests", "Output", "Files", "Timing", "Kubernetes"],
    };

    private static string CoreSources => RepositoryPaths.Combine("operator", "src", "Portico.Core");

    [Test]
    public void Every_layer_of_the_core_is_listed()
    {
        var folders = Directory.EnumerateDirectories(CoreSources).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")).ToList();

        // A new folder must take its place in the direction: say which namespaces it must not use.
        Assert.That(folders, Is.SubsetOf(Forbidden.Keys.Append("Kubernetes")));
    }

    [Test]
    public void No_namespace_of_the_core_uses_one_it_must_not()
    {
        var wrong = new List<string>();
        foreach (string file in Directory.EnumerateFiles(CoreSources, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/", StringComparison.Ordinal)))
        {
            string layer = Path.GetRelativePath(CoreSources, file).Split(Path.DirectorySeparatorChar)[0];
            if (!Forbidden.TryGetValue(layer, out string[]? forbidden))
            {
                continue;
            }

            wrong.AddRange(UsedNamespaces(File.ReadAllText(file)).Intersect(forbidden).Select(used => $"{Path.GetRelativePath(CoreSources, file)} uses {used}"));
        }

        Assert.That(wrong, Is.Empty, "imports that run the wrong way (docs/architecture.md, the dependency direction)");
    }

    [Test]
    public void The_scan_sees_usings_aliases_and_qualified_names_but_not_comments()
    {
        const string source = """
            using System.Text;
            using Portico.Core.Model;
            using static Portico.Core.Offline.OfflinePipeline;
            using Alias = Portico.Core.Output.OutputDirectory;

            namespace Portico.Core.Rendering;

            /// <summary>Talks about <see cref="Portico.Core.Proxies.ProxyKind"/> only in a comment.</summary>
            internal static class Sample
            {
                // Portico.Core.Files.ConfinedDirectory, in a comment too.
                public static object Run() => new Portico.Core.Applying.NoReloadTrigger();

                public static object Other() => Core.Building.ModelBuilder.Build(null!, null!);
            }
            """;

        Assert.That(UsedNamespaces(source), Is.EquivalentTo(new[] { "Model", "Offline", "Output", "Applying", "Building" }));
    }

    /// <summary>The Portico.Core namespaces (first level) a source file refers to outside comments.</summary>
    internal static HashSet<string> UsedNamespaces(string source)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in source.Split('\n'))
        {
            string code = line.TrimStart();
            if (code.StartsWith("//", StringComparison.Ordinal) || code.StartsWith("namespace ", StringComparison.Ordinal))
            {
                continue;
            }

            int comment = code.IndexOf("//", StringComparison.Ordinal);
            code = comment >= 0 ? code[..comment] : code;
            foreach (Match match in CoreReference().Matches(code))
            {
                used.Add(match.Groups[1].Value);
            }
        }

        return used;
    }

    /// <summary>Portico.Core.X or Core.X followed by ';' or '.', not as part of a longer name.</summary>
    [GeneratedRegex(@"(?<![\w.])(?:Portico\.)?Core\.([A-Z]\w*)(?=[.;])")]
    private static partial Regex CoreReference();
}
