namespace Portico.E2E.Tests;

/// <summary>A kubeconfig file for a test API server, as a user would point `portico run --kubeconfig` at a cluster.</summary>
internal static class Kubeconfig
{
    public static string Write(string directory, Uri server)
    {
        string path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
              - name: test
                cluster:
                  server: {server.AbsoluteUri.TrimEnd('/')}
            users:
              - name: test
                user:
                  token: portico-test
            contexts:
              - name: test
                context:
                  cluster: test
                  user: test
                  namespace: default
            current-context: test
            """);
        return path;
    }
}
