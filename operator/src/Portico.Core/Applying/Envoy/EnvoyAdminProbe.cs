using System.Text.Json;
using Portico.Core.Rendering;

namespace Portico.Core.Applying.Envoy;

/// <summary>
/// Asks Envoy's admin API (loopback only) which staged version it runs, and answers that version's config hash.
/// Envoy reports per resource type the version_info of the last update that changed something (three small
/// <c>/config_dump</c> requests with field masks: LDS and CDS versions; the version of each RDS route configuration;
/// listeners still warming or refused). Each discovery file carries the hash of its own content as version_info, so
/// a staged version is running exactly when Envoy's versions equal its files' (<see cref="EnvoyStagedVersion"/>): the
/// probe checks <c>current</c> first, then the other staged versions, and answers the hash of the one that matches,
/// or null when none does or Envoy does not answer (docs/adr/0006-envoy-reload-confirmation.md).
/// </summary>
public sealed class EnvoyAdminProbe : IAppliedConfigProbe, IDisposable
{
    /// <summary>LDS and CDS versions: the mask keeps only the top-level version of each dump that has one.</summary>
    public const string VersionsQuery = "config_dump?mask=version_info";

    /// <summary>The version of each RDS route configuration Envoy holds, with its name.</summary>
    public const string RoutesQuery = "config_dump?resource=dynamic_route_configs&mask=version_info,route_config.name";

    /// <summary>Listeners still warming (the update is not in effect yet) or refused by the last LDS update.</summary>
    public const string ListenersQuery = "config_dump?resource=dynamic_listeners&mask=name,error_state,warming_state.version_info";

    private const long MaxResponseBytes = 4 * 1024 * 1024;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(1);

    private readonly HttpClient _http;
    private readonly VersionedConfigDirectory _directory;
    private readonly Dictionary<string, EnvoyStagedVersion?> _staged = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public EnvoyAdminProbe(Uri adminEndpoint, VersionedConfigDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(adminEndpoint);
        ArgumentNullException.ThrowIfNull(directory);
        if (!adminEndpoint.IsLoopback)
        {
            throw new ArgumentException($"Envoy's admin API must be on loopback, not {adminEndpoint.Host}", nameof(adminEndpoint));
        }

        AdminEndpoint = adminEndpoint.AbsoluteUri.EndsWith('/') ? adminEndpoint : new Uri(adminEndpoint.AbsoluteUri + "/");
        _directory = directory;
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = RequestTimeout })
        {
            Timeout = RequestTimeout,
            MaxResponseContentBufferSize = MaxResponseBytes,
        };
    }

    /// <summary>The admin API's base address (Envoy's admin listener: the status listen address of the settings).</summary>
    public Uri AdminEndpoint { get; }

    /// <summary>The probe for the admin address the renderer puts into the bootstrap (<see cref="ProxySettings.StatusListen"/>).</summary>
    public static EnvoyAdminProbe For(ProxySettings settings, VersionedConfigDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new EnvoyAdminProbe(new Uri($"http://{settings.StatusListen.HostPort}/"), directory);
    }

    public async Task<string?> ReadAppliedHashAsync(CancellationToken cancellationToken)
    {
        var reported = await ReadReportedStateAsync(cancellationToken);
        if (reported is null)
        {
            return null;
        }

        foreach (string version in Candidates())
        {
            if (Staged(version) is { } staged && staged.IsRunBy(reported))
            {
                return staged.ConfigHash;
            }
        }

        return null;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>What Envoy reports, or null when it does not answer (not running, starting, or not an Envoy).</summary>
    internal async Task<EnvoyReportedState?> ReadReportedStateAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var versions = await GetAsync(VersionsQuery, cancellationToken);
            using var routes = await GetAsync(RoutesQuery, cancellationToken);
            using var listeners = await GetAsync(ListenersQuery, cancellationToken);
            return versions is null || routes is null || listeners is null
                ? null
                : EnvoyReportedState.Parse(versions.RootElement, routes.RootElement, listeners.RootElement);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    private async Task<JsonDocument?> GetAsync(string query, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri(AdminEndpoint, query), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonDocument.ParseAsync(body, default, cancellationToken);
    }

    /// <summary>The version <c>current</c> points at first (the likely answer), then every other staged version.</summary>
    private IEnumerable<string> Candidates()
    {
        string? active = _directory.ActiveVersion;
        if (active is not null)
        {
            yield return active;
        }

        string versions = Path.Combine(_directory.Root, VersionedConfigDirectory.VersionsDirectoryName);
        if (!Directory.Exists(versions))
        {
            yield break;
        }

        foreach (string name in Directory.EnumerateDirectories(versions).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal))
        {
            // Staging directories start with a dot; they are not versions yet.
            if (name != active && !name.StartsWith('.'))
            {
                yield return name;
            }
        }
    }

    private EnvoyStagedVersion? Staged(string version)
    {
        lock (_gate)
        {
            if (_staged.TryGetValue(version, out var known))
            {
                return known;
            }
        }

        string directory = _directory.VersionDirectory(version);
        EnvoyStagedVersion? staged;
        try
        {
            staged = EnvoyStagedVersion.Read(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Collected while we looked: not a candidate any more; do not remember it.
            return null;
        }

        lock (_gate)
        {
            // Versions are immutable once staged; forget the ones that are gone so the cache stays small.
            foreach (string gone in _staged.Keys.Where(v => !Directory.Exists(_directory.VersionDirectory(v))).ToList())
            {
                _staged.Remove(gone);
            }

            _staged[version] = staged;
        }

        return staged;
    }
}
