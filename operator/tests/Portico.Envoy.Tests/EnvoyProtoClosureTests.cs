using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Portico.Envoy.Schema;
using Portico.TestSupport;

namespace Portico.Envoy.Tests;

/// <summary>
/// The schema check compiles a hand-kept list of Envoy's protos (Portico.Envoy.Protos.csproj): it must be the whole
/// import closure, and the npm package it comes from must be the one the check names.
/// </summary>
public sealed partial class EnvoyProtoClosureTests
{
    private static string ProtosDirectory => RepositoryPaths.Combine("operator", "envoy-protos");

    private static string Deps => Path.Combine(ProtosDirectory, "node_modules", "@grpc", "grpc-js-xds", "deps") + "/";

    [Test]
    public void The_check_names_the_pinned_npm_package()
    {
        using var package = JsonDocument.Parse(File.ReadAllText(Path.Combine(ProtosDirectory, "package.json")));
        using var locked = JsonDocument.Parse(File.ReadAllText(Path.Combine(ProtosDirectory, "package-lock.json")));
        string pinned = package.RootElement.GetProperty("dependencies").GetProperty("@grpc/grpc-js-xds").GetString()!;
        string resolved = locked.RootElement.GetProperty("packages").GetProperty("node_modules/@grpc/grpc-js-xds").GetProperty("version").GetString()!;

        Assert.That($"@grpc/grpc-js-xds@{pinned}", Is.EqualTo(EnvoySchemaValidator.ProtoPackage), "package.json pins the package the check names");
        Assert.That(resolved, Is.EqualTo(pinned), "package-lock.json resolves exactly the pinned version");
    }

    [Test]
    public void Every_import_of_a_compiled_proto_is_compiled_too()
    {
        var listed = ListedProtos();
        Assert.That(listed, Is.Not.Empty);
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (importPath, file) in listed)
        {
            Assert.That(File.Exists(file), Is.True, $"{file} is listed but not in the npm package");
            foreach (Match import in Import().Matches(File.ReadAllText(file)))
            {
                string name = import.Groups["path"].Value;
                if (!name.StartsWith("google/protobuf/", StringComparison.Ordinal) && !listed.ContainsKey(name))
                {
                    missing.Add($"{name} (imported by {importPath})");
                }
            }
        }

        Assert.That(missing, Is.Empty, "add these to Portico.Envoy.Protos.csproj");
    }

    /// <summary>The csproj's EnvoyProto items, by the path other protos import them by.</summary>
    private static Dictionary<string, string> ListedProtos()
    {
        string project = RepositoryPaths.Combine("operator", "src", "Portico.Envoy.Protos", "Portico.Envoy.Protos.csproj");
        string patched = RepositoryPaths.Combine("operator", "src", "Portico.Envoy.Protos", "obj", "pgv-patched") + "/";
        string Expand(string value) => value.Replace("$(EnvoyProtoDeps)", Deps, StringComparison.Ordinal).Replace("$(PatchedProtoRoot)", patched, StringComparison.Ordinal);
        var protos = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in XDocument.Load(project).Descendants("EnvoyProto"))
        {
            string file = Expand(item.Attribute("Include")!.Value);
            string root = Expand(item.Attribute("ProtoRoot")!.Value);
            Assert.That(file, Does.StartWith(root));
            protos[file[root.Length..]] = file;
        }

        return protos;
    }

    [GeneratedRegex(@"^import\s+(?:public\s+)?""(?<path>[^""]+)"";", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex Import();
}
