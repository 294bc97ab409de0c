using Portico.Core.Building;
using Portico.Core.Values;

namespace Portico.Leadership;

/// <summary>The namespace Portico runs in: where its Lease lives unless leaderElection.leaseNamespace says otherwise.</summary>
public static class OperatorNamespace
{
    public const string ServiceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    /// <summary>POD_NAMESPACE (the downward API), else the mounted service account's namespace, else "default".</summary>
    public static string Detect() => Detect(Environment.GetEnvironmentVariable("POD_NAMESPACE"), ServiceAccountNamespaceFile);

    internal static string Detect(string? fromEnvironment, string serviceAccountFile)
    {
        if (DnsGrammar.IsLabel(fromEnvironment))
        {
            return fromEnvironment!;
        }

        if (File.Exists(serviceAccountFile))
        {
            string fromFile = File.ReadAllText(serviceAccountFile).Trim();
            if (DnsGrammar.IsLabel(fromFile))
            {
                return fromFile;
            }
        }

        return "default";
    }
}
