using System.Collections;
using Portico.TestSupport;
using YamlDotNet.Serialization;

namespace Portico.Tests.Crds;

/// <summary>docs/policies.md documents every field of the IngressPolicy CRD (by its path, in backticks), so they stay in step.</summary>
public sealed class PolicyDocsTests
{
    [Test]
    public void Every_spec_field_of_the_CRD_is_documented()
    {
        string docs = File.ReadAllText(RepositoryPaths.Combine("docs/policies.md"));
        var crd = (Dictionary<object, object>)new DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(RepositoryPaths.Combine("crds/portico.dev_ingresspolicies.yaml")))!;
        var version = (Dictionary<object, object>)((IList)((Dictionary<object, object>)crd["spec"])["versions"])[0]!;
        var schema = (Dictionary<object, object>)((Dictionary<object, object>)version["schema"])["openAPIV3Schema"];
        var spec = (Dictionary<object, object>)((Dictionary<object, object>)schema["properties"])["spec"];
        var missing = Leaves(spec, string.Empty).Where(path => !Documented(docs, path)).ToList();
        Assert.That(missing, Is.Empty, "fields of the CRD that docs/policies.md does not name");
    }

    /// <summary>A field is documented when its path is in backticks, or its name (or ".name") and its parent's path are.</summary>
    private static bool Documented(string docs, string path)
    {
        string[] parts = path.Split('.');
        string leaf = parts[^1];
        return docs.Contains($"`{path}`", StringComparison.Ordinal)
            || (docs.Contains($"`.{leaf}`", StringComparison.Ordinal) || docs.Contains($"`{leaf}`", StringComparison.Ordinal))
                && docs.Contains($"`{string.Join('.', parts[..^1])}", StringComparison.Ordinal);
    }

    private static IEnumerable<string> Leaves(Dictionary<object, object> node, string path)
    {
        if (node.TryGetValue("items", out var items))
        {
            node = (Dictionary<object, object>)items;
        }

        if (!node.TryGetValue("properties", out var properties))
        {
            yield return path;
            yield break;
        }

        foreach (var (name, child) in (Dictionary<object, object>)properties)
        {
            foreach (string leaf in Leaves((Dictionary<object, object>)child, path.Length == 0 ? (string)name : $"{path}.{name}"))
            {
                yield return leaf;
            }
        }
    }
}
