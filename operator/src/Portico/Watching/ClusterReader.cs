using System.Net;
using k8s;
using k8s.Autorest;
using Portico.Core.Kubernetes;
using Portico.Core.Manifests;

namespace Portico.Watching;

/// <summary>
/// Reads the cluster once, through the same list calls the watchers make (<see cref="ResourceApis"/>: the registry's
/// kinds, their scope and field selectors, paged), into a <see cref="ManifestSet"/>, so `portico explain --kubeconfig`
/// runs the offline pipeline on the live state. An optional kind whose resource is not served (404) is empty, as the
/// watcher counts it; any other failure is an IOException for the CLI to report.
/// </summary>
internal static class ClusterReader
{
    private const int PageSize = 500;

    public static async Task<ManifestSet> ReadAsync(IKubernetes client, KindRegistry kinds, string? ns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        var objects = new List<ManifestObject>();
        foreach (var kind in kinds.Kinds)
        {
            var api = ResourceApis.For(client, kind, ns);
            string? next = null;
            try
            {
                do
                {
                    var page = await api.ListPage(next, PageSize, cancellationToken).ConfigureAwait(false);
                    objects.AddRange(page.Items.Select(item => new ManifestObject(item, $"cluster {kind.Kind}", objects.Count + 1)));
                    next = string.IsNullOrEmpty(page.Continue) ? null : page.Continue;
                }
                while (next is not null);
            }
            catch (HttpOperationException e) when (kind.Requirement == KindRequirement.Optional && e.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                // The CRD is not installed: listed and empty, as the watcher counts it.
            }
            catch (HttpOperationException e)
            {
                throw new IOException($"listing {kind.Kind} failed: {(int?)e.Response?.StatusCode} {e.Response?.ReasonPhrase}", e);
            }
            catch (HttpRequestException e)
            {
                throw new IOException($"listing {kind.Kind} failed: {e.Message}", e);
            }
            catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
            {
                throw new IOException($"listing {kind.Kind} did not finish in time", e);
            }
        }

        return new ManifestSet([.. objects], []);
    }
}
