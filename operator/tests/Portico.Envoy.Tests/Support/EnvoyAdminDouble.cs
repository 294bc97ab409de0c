using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Portico.Envoy.Tests.Support;

/// <summary>
/// A stand-in for an Envoy running on a shared root (no Envoy binary can be had here): it reads its files the way
/// Envoy does and answers the admin API's <c>/config_dump</c> requests the probe makes, on 127.0.0.1.
/// <list type="bullet">
/// <item>It reads the bootstrap like <c>envoy -c current/envoy.json</c> in the root (as soon as it exists: an Envoy
/// that started with it); the bootstrap names the LDS and CDS files (through the link), the listeners their RDS files.</item>
/// <item>It picks up a swap of <c>current</c> (Envoy: the move in the watched root) when it next answers a request,
/// which keeps tests deterministic; <see cref="PicksUpChanges"/> false models an Envoy that never sees the swap.</item>
/// <item>Per resource type it applies what changed and, as Envoy does (CdsApiHelper, LdsApiImpl,
/// RouteConfigUpdateReceiverImpl), advances the reported version_info only when an update changed something. A file
/// that does not parse is refused whole; a listener named in <see cref="RefusedListeners"/> is refused and reported
/// in error_state while the others apply; route configurations no listener asks for any more stay listed (Envoy keeps
/// them while old listeners drain).</item>
/// </list>
/// </summary>
internal sealed class EnvoyAdminDouble : IAsyncDisposable
{
    private const string AdminType = "type.googleapis.com/envoy.admin.v3.";

    private readonly WebApplication _app;
    private readonly string _root;
    private string? _ldsPath;
    private string? _cdsPath;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _listeners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _clusters = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, (string Version, string Content)> _routes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _failedListeners = new(StringComparer.Ordinal);
    private readonly List<string> _requests = [];
    private string? _seenTarget;
    private string _ldsVersion = string.Empty;
    private string _cdsVersion = string.Empty;

    private EnvoyAdminDouble(WebApplication app, string root)
    {
        _app = app;
        _root = root;
    }

    /// <summary>False: the double keeps what it runs and never reads the files again (a stuck or dead watch).</summary>
    public bool PicksUpChanges { get; set; } = true;

    /// <summary>Listener names Envoy would refuse (for example a certificate it cannot load); the rest still apply.</summary>
    public ISet<string> RefusedListeners { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Listener names reported as still warming (an update not in effect yet).</summary>
    public ISet<string> WarmingListeners { get; } = new HashSet<string>(StringComparer.Ordinal);

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>How often the files were read after a swap of current (the start included).</summary>
    public int Loads { get; private set; }

    /// <summary>How many discovery files did not parse and were refused whole.</summary>
    public int RefusedFiles { get; private set; }

    /// <summary>Every admin request, as path and query.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public string ListenersVersion => _ldsVersion;

    public string ClustersVersion => _cdsVersion;

    public IReadOnlyDictionary<string, string> RouteVersions
    {
        get
        {
            lock (_gate)
            {
                return _routes.ToDictionary(r => r.Key, r => r.Value.Version, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>
    /// Starts the admin API on 127.0.0.1:<paramref name="port"/> (0: any free port) for the shared root
    /// <paramref name="root"/>. When current/envoy.json exists it is read at once, as Envoy reads it when it starts.
    /// </summary>
    public static async Task<EnvoyAdminDouble> StartAsync(string root, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var envoy = new EnvoyAdminDouble(app, root);
        app.MapGet("/config_dump", envoy.ConfigDump);
        envoy.Observe();
        await app.StartAsync();
        envoy.Endpoint = new Uri(app.Urls.Single() + "/");
        return envoy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private IResult ConfigDump(HttpContext context)
    {
        var query = context.Request.Query;
        lock (_gate)
        {
            _requests.Add(context.Request.Path + context.Request.QueryString);
        }

        Observe();
        string? resource = query["resource"];
        string? mask = query["mask"];
        lock (_gate)
        {
            var configs = new JsonArray();
            if (resource is null && mask == "version_info")
            {
                // Envoy applies the mask to every dump and leaves out those without the field (bootstrap, routes).
                configs.Add(VersionDump("ClustersConfigDump", _cdsVersion));
                configs.Add(VersionDump("ListenersConfigDump", _ldsVersion));
            }
            else if (resource == "dynamic_route_configs" && mask == "version_info,route_config.name")
            {
                foreach (var (name, route) in _routes)
                {
                    configs.Add(new JsonObject
                    {
                        ["@type"] = AdminType + "RoutesConfigDump.DynamicRouteConfig",
                        ["version_info"] = route.Version,
                        ["route_config"] = new JsonObject { ["@type"] = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration", ["name"] = name },
                    });
                }
            }
            else if (resource == "dynamic_listeners" && mask == "name,error_state,warming_state.version_info")
            {
                foreach (string name in _listeners.Keys.Union(_failedListeners).Order(StringComparer.Ordinal))
                {
                    var listener = new JsonObject { ["@type"] = AdminType + "ListenersConfigDump.DynamicListener", ["name"] = name };
                    if (WarmingListeners.Contains(name))
                    {
                        listener["warming_state"] = new JsonObject { ["version_info"] = _ldsVersion };
                    }

                    if (_failedListeners.Contains(name))
                    {
                        listener["error_state"] = new JsonObject { ["details"] = "refused by the test" };
                    }

                    configs.Add(listener);
                }
            }
            else
            {
                return Results.Text($"FieldMask {mask} could not be successfully used.", "text/plain", statusCode: 400);
            }

            // Proto JSON leaves empty fields out, an empty list included.
            var dump = new JsonObject();
            if (configs.Count > 0)
            {
                dump["configs"] = configs;
            }

            return Results.Text(dump.ToJsonString(), "application/json");
        }
    }

    private static JsonObject VersionDump(string type, string version)
    {
        var dump = new JsonObject { ["@type"] = AdminType + type };
        if (version.Length > 0)
        {
            dump["version_info"] = version;
        }

        return dump;
    }

    /// <summary>Reads the files again when current was swapped since the last read, as Envoy does on the move.</summary>
    private void Observe()
    {
        lock (_gate)
        {
            string? target = new FileInfo(Path.Combine(_root, "current")).LinkTarget;
            if (!PicksUpChanges || target == _seenTarget || !ReadBootstrap())
            {
                return;
            }

            _seenTarget = target;
            Loads++;
            LoadClusters();
            LoadListeners();
            LoadRoutes();
        }
    }

    /// <summary>The LDS and CDS paths from the bootstrap, once (Envoy reads it only when it starts).</summary>
    private bool ReadBootstrap()
    {
        if (_ldsPath is not null)
        {
            return true;
        }

        string file = Path.Combine(_root, "current", "envoy.json");
        if (!File.Exists(file))
        {
            return false;
        }

        using var bootstrap = JsonDocument.Parse(File.ReadAllBytes(file));
        var dynamic = bootstrap.RootElement.GetProperty("dynamic_resources");
        _ldsPath = dynamic.GetProperty("lds_config").GetProperty("path_config_source").GetProperty("path").GetString()!;
        _cdsPath = dynamic.GetProperty("cds_config").GetProperty("path_config_source").GetProperty("path").GetString()!;
        return true;
    }

    private void LoadClusters()
    {
        if (Read(_cdsPath!, "type.googleapis.com/envoy.config.cluster.v3.Cluster") is not var (version, resources))
        {
            return;
        }

        if (Apply(_clusters, resources, refused: null))
        {
            _cdsVersion = version;
        }
    }

    private void LoadListeners()
    {
        if (Read(_ldsPath!, "type.googleapis.com/envoy.config.listener.v3.Listener") is not var (version, resources))
        {
            return;
        }

        _failedListeners.Clear();
        if (Apply(_listeners, resources, RefusedListeners))
        {
            _ldsVersion = version;
        }
    }

    /// <summary>Each route configuration a held listener asks for, from the file it names (by that name).</summary>
    private void LoadRoutes()
    {
        foreach (var (name, path) in _listeners.Values.SelectMany(RouteSources).Distinct())
        {
            if (Read(path, "type.googleapis.com/envoy.config.route.v3.RouteConfiguration") is not var (version, resources))
            {
                continue;
            }

            if (resources.TryGetValue(name, out string? content) && (!_routes.TryGetValue(name, out var held) || held.Content != content))
            {
                _routes[name] = (version, content);
            }
        }
    }

    /// <summary>Envoy's state-of-the-world update: removes what is gone, adds or replaces what changed; true when anything did.</summary>
    private bool Apply(Dictionary<string, string> held, Dictionary<string, string> resources, ISet<string>? refused)
    {
        bool applied = false;
        foreach (string gone in held.Keys.Except(resources.Keys).ToList())
        {
            held.Remove(gone);
            applied = true;
        }

        foreach (var (name, content) in resources)
        {
            if (refused?.Contains(name) == true)
            {
                _failedListeners.Add(name);
            }
            else if (!held.TryGetValue(name, out string? old) || old != content)
            {
                held[name] = content;
                applied = true;
            }
        }

        return applied;
    }

    /// <summary>A discovery file by its path relative to the root; null (refused whole) when it does not parse.</summary>
    private (string Version, Dictionary<string, string> Resources)? Read(string path, string typeUrl)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_root, path)));
            var root = document.RootElement;
            if (root.GetProperty("type_url").GetString() != typeUrl)
            {
                throw new JsonException("type_url " + root.GetProperty("type_url").GetString());
            }

            var resources = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var resource in root.GetProperty("resources").EnumerateArray())
            {
                resources.Add(resource.GetProperty("name").GetString()!, resource.GetRawText());
            }

            return (root.TryGetProperty("version_info", out var version) ? version.GetString() ?? string.Empty : string.Empty, resources);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException or IOException)
        {
            RefusedFiles++;
            return null;
        }
    }

    private static IEnumerable<(string Name, string Path)> RouteSources(string listenerJson)
    {
        var listener = JsonNode.Parse(listenerJson)!;
        var chains = (listener["filter_chains"]?.AsArray() ?? []).Append(listener["default_filter_chain"]).OfType<JsonNode>();
        foreach (var filter in chains.SelectMany(c => c["filters"]?.AsArray() ?? []).OfType<JsonNode>())
        {
            if (filter["typed_config"]?["rds"] is { } rds)
            {
                yield return (rds["route_config_name"]!.GetValue<string>(), rds["config_source"]!["path_config_source"]!["path"]!.GetValue<string>());
            }
        }
    }
}
