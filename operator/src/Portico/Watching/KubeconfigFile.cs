using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Portico.Watching;

/// <summary>
/// Reads a kubeconfig file into the client's configuration without the client library's own YAML reader. That reader
/// (KubernetesYaml) is built, on first use, for every model type of the library: it reflects over all of them and keeps
/// ~50,000 attribute mappings. It cost the operator ~35 MiB of resident memory for good, the whole of the 200 MiB budget's
/// margin at 10,000 Ingresses (issue 13), to read a file of a few lines. The kubeconfig types carry their own YAML names
/// (YamlMember aliases), so a plain deserializer reads them the same way; the library still builds the configuration
/// (contexts, credentials, certificates, exec plugins) from what was read. In a pod (no kubeconfig) none of this runs.
/// </summary>
public static class KubeconfigFile
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().IgnoreUnmatchedProperties().Build();

    public static KubernetesClientConfiguration Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        K8SConfiguration config;
        try
        {
            config = Deserializer.Deserialize<K8SConfiguration?>(File.ReadAllText(full)) ?? throw new KubeConfigException("kubeconfig is empty");
        }
        catch (YamlException e)
        {
            throw new KubeConfigException($"kubeconfig {full} is not valid YAML: {e.Message}", e);
        }

        // Relative certificate and key paths in the file are relative to the file, as kubectl reads them.
        config.FileName = full;
        return KubernetesClientConfiguration.BuildConfigFromConfigObject(config);
    }
}
