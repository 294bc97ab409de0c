using Portico.Options;

namespace Portico.Tests.Deploy;

/// <summary>The settings a built deployment gives the operator and the bootstrap init container: its ConfigMap's portico.yaml.</summary>
internal static class DeploySettings
{
    public const string ConfigMountPath = "/etc/portico/config";

    public static string Yaml(DeployObjects objects)
    {
        var volume = objects.Pod.Volumes.Single(v => v.Name == "config");
        var map = objects.OfType<k8s.Models.V1ConfigMap>().Single(c => c.Metadata.Name == volume.ConfigMap.Name);
        return map.Data["portico.yaml"];
    }

    /// <summary>Read as `portico run --config` reads it (the environment of the test process left out).</summary>
    public static PorticoOptions Load(DeployObjects objects)
    {
        string file = Path.Combine(Path.GetTempPath(), $"portico-deploy-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, Yaml(objects));
        try
        {
            return OptionsLoader.Load(file, new Dictionary<string, string?>(), readEnvironment: false);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
