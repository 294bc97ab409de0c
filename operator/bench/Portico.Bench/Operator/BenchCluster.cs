using k8s;
using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.Core.Kubernetes.Crds;
using Api = Portico.TestApiServer.TestApiServer;

namespace Portico.Bench.Operator;

/// <summary>Where the benchmarks write the cluster's objects: the test API server, or a manifest directory for local mode.</summary>
internal abstract class BenchCluster
{
    public abstract void Upsert(IKubernetesObject<V1ObjectMeta> value);

    public void UpsertAll(params IEnumerable<IKubernetesObject<V1ObjectMeta>> values)
    {
        foreach (var value in values)
        {
            Upsert(value);
        }
    }

    /// <summary>Makes IngressPolicies available (the API server serves the CRD; files need nothing).</summary>
    public abstract void ServePolicies();
}

/// <summary>The objects go to the test API server, which the operator watches.</summary>
internal sealed class ApiBenchCluster(Api api) : BenchCluster
{
    public override void Upsert(IKubernetesObject<V1ObjectMeta> value) => api.UpsertAll(value);

    private bool _policies;

    public override void ServePolicies()
    {
        if (!_policies)
        {
            api.ServeCustomResource<IngressPolicy>(IngressPolicy.KubeGroup, IngressPolicy.KubeApiVersion, IngressPolicy.KubePluralName, IngressPolicy.KubeKind, namespaced: true, statusSubresource: true);
            _policies = true;
        }
    }
}

/// <summary>
/// The objects go to a manifest directory that local mode (`portico run --manifests`) watches: one JSON file per object
/// (JSON is YAML), replaced whole with rename(2) as an editor's save would, so a change is one file of tens of thousands.
/// </summary>
internal sealed class ManifestBenchCluster(string directory) : BenchCluster
{
    public string Directory { get; } = directory;

    public override void Upsert(IKubernetesObject<V1ObjectMeta> value)
    {
        var kind = KindRegistry.Default.Find(value.GetType()) ?? throw new ArgumentException("not a kind Portico reads: " + value.GetType().Name);
        value.ApiVersion = kind.ApiVersion;
        value.Kind = kind.Kind;
        value.Metadata.NamespaceProperty ??= kind.Namespaced ? "default" : null;
        string name = $"{kind.Kind.ToLowerInvariant()}-{value.Metadata.NamespaceProperty ?? "cluster"}-{value.Metadata.Name}.json";
        string path = Path.Combine(Directory, name);
        string temporary = Path.Combine(Directory, "." + name + ".tmp");
        File.WriteAllText(temporary, KubernetesJson.Serialize(value));
        File.Move(temporary, path, overwrite: true);
    }

    public override void ServePolicies()
    {
    }
}
