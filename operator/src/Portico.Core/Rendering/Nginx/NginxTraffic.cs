using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Portico.Core.Model.Policies;

namespace Portico.Core.Rendering.Nginx;

/// <summary>Maps a <see cref="RoutePolicy"/> onto <see cref="NginxTrafficView"/> and collects the http-level blocks.</summary>
internal sealed class NginxTraffic
{
    public const string RateZonePrefix = "portico_rate_";

    private readonly SortedDictionary<string, NginxCorsMapView> _corsMaps = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, NginxHeaderAppendView> _appends = new(StringComparer.Ordinal);
    private readonly SortedSet<int> _rates = [];
    private bool _connections;

    /// <summary>True when nothing was gathered (most hosts: no policy names an http-level block).</summary>
    public bool IsEmpty => _corsMaps.Count == 0 && _appends.Count == 0 && _rates.Count == 0 && !_connections;

    public NginxHttpTrafficView Http => new(
        [.. _rates.Select(r => new NginxRateZoneView(RateZonePrefix + r.ToString(CultureInfo.InvariantCulture), r))],
        _connections,
        [.. _corsMaps.Values],
        [.. _appends.Values]);

    /// <summary>Adds the blocks <paramref name="other"/> gathered (they are keyed by content: the same key, the same block).</summary>
    public void Include(NginxTraffic other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (name, map) in other._corsMaps)
        {
            _corsMaps.TryAdd(name, map);
        }

        foreach (var (name, append) in other._appends)
        {
            _appends.TryAdd(name, append);
        }

        _rates.UnionWith(other._rates);
        _connections |= other._connections;
    }

    /// <summary>The traffic view of a location with <paramref name="policy"/>; <paramref name="external"/>: it proxies to an ExternalName host.</summary>
    public NginxTrafficView Location(RoutePolicy policy, bool external)
    {
        if (policy.IsEmpty)
        {
            return NginxTrafficView.None;
        }

        var view = Protocol(policy.BackendProtocol, external);
        if (policy.HttpsRedirect is { } redirect)
        {
            view = view with { HttpsRedirect = new NginxRedirectView(redirect.Status, redirect.Scheme, redirect.Port == 443 ? string.Empty : ":" + redirect.Port.ToString(CultureInfo.InvariantCulture)) };
        }

        if (policy.IpAccess is { } ip)
        {
            view = view with
            {
                Deny = [.. ip.Deny.Select(n => n.ToString())],
                Allow = [.. ip.Allow.Select(n => n.ToString())],
                DenyAll = ip.Allow.Length > 0,
            };
        }

        if (policy.RateLimit is not null || policy.LimitConnections is not null)
        {
            view = view with { LimitScope = policy.Key };
        }

        if (policy.RateLimit is { } rate)
        {
            _rates.Add(rate.RequestsPerSecond);
            view = view with { RateZone = RateZonePrefix + rate.RequestsPerSecond.ToString(CultureInfo.InvariantCulture), RateBurst = rate.Burst };
        }

        if (policy.LimitConnections is { } connections)
        {
            _connections = true;
            view = view with { LimitConnections = connections };
        }

        if (policy.MaxRequestBodyBytes is { } body)
        {
            view = view with { MaxBodySize = NginxUnits.Size(body) };
        }

        if (policy.Timeouts is { } timeouts)
        {
            // nginx has no limit on a whole request: "request" bounds each wait for the backend (reading and
            // sending) unless "idle" says that explicitly.
            var wait = timeouts.Idle ?? timeouts.Request;
            view = view with
            {
                ConnectTimeout = timeouts.Connect is { } connect ? NginxUnits.Time(connect) : null,
                ReadTimeout = wait is { } w1 ? NginxUnits.Time(w1) : null,
                SendTimeout = wait is { } w2 ? NginxUnits.Time(w2) : null,
            };
        }

        if (policy.Buffering is { } buffering)
        {
            // The grpc module has only grpc_buffer_size (it never buffers whole responses or requests).
            bool grpc = view.Module == "grpc";
            view = view with
            {
                Buffering = grpc ? null : OnOff(buffering.Response),
                BufferSize = buffering.ResponseBufferSizeBytes is { } size ? NginxUnits.Size(size) : null,
                RequestBuffering = grpc ? null : OnOff(buffering.Request),
            };
        }

        if (policy.RequestHeaders is { } request)
        {
            view = RequestHeaders(view, request);
        }

        if (policy.ResponseHeaders is { } response)
        {
            var hidden = response.Set.Select(h => h.Name).Concat(response.Remove).Distinct(StringComparer.Ordinal).ToList();
            view = view with
            {
                HiddenResponseHeaders = hidden,
                ResponseHeaders = [.. response.Set.Concat(response.Add).Select(h => new NginxHeaderView(h.Name, h.Value))],
            };
        }

        if (policy.Cors is { } cors)
        {
            view = view with { Cors = Cors(cors) };
        }

        return view;
    }

    private static string? OnOff(bool? value) => value is null ? null : value.Value ? "on" : "off";

    private static NginxTrafficView Protocol(BackendProtocol? protocol, bool external) => protocol switch
    {
        null or BackendProtocol.Http => NginxTrafficView.None,
        BackendProtocol.Https => new NginxTrafficView { Scheme = "https", SslServerName = !external },
        BackendProtocol.Grpc => new NginxTrafficView { Pass = "grpc_pass", Scheme = "grpc", Module = "grpc" },
        BackendProtocol.Grpcs => new NginxTrafficView { Pass = "grpc_pass", Scheme = "grpcs", Module = "grpc", SslServerName = !external },
        _ => throw new TemplateException($"nginx cannot render the backend protocol {protocol}"),
    };

    /// <summary>
    /// Set replaces, remove sends nothing (an empty value), add appends to what the client sent. A name the client
    /// cannot send through nginx (holding "_" or ".", which nginx drops as invalid) is simply set.
    /// </summary>
    private NginxTrafficView RequestHeaders(NginxTrafficView view, HeaderMutation mutation)
    {
        var fixedHeaders = new List<NginxHeaderView>();
        var appended = new List<NginxHeaderView>();
        var removed = mutation.Remove.Where(r => !mutation.Set.Any(s => s.Name == r) && !mutation.Add.Any(a => a.Name == r)).Distinct(StringComparer.Ordinal);
        foreach (string name in removed)
        {
            fixedHeaders.Add(new NginxHeaderView(name, string.Empty));
        }

        var names = mutation.Set.Select(h => h.Name).Concat(mutation.Add.Select(h => h.Name)).Distinct(StringComparer.Ordinal);
        foreach (string name in names)
        {
            var set = mutation.Set.Where(h => h.Name == name).Select(h => h.Value).LastOrDefault();
            string? added = mutation.Add.Any(h => h.Name == name) ? string.Join(", ", mutation.Add.Where(h => h.Name == name).Select(h => h.Value)) : null;
            bool removedToo = mutation.Remove.Contains(name);
            if (set is not null || removedToo || added is null || !ClientCanSend(name))
            {
                // Set, then what is added; a removed header carries only what is added.
                string value = string.Join(", ", new[] { set, added }.Where(v => v is not null));
                fixedHeaders.Add(new NginxHeaderView(name, value));
                continue;
            }

            string variable = "portico_request_" + Hash(name + "\n" + added);
            string source = "http_" + name.Replace('-', '_');
            _appends[variable] = new NginxHeaderAppendView(variable, source, added);
            appended.Add(new NginxHeaderView(name, variable));
        }

        var replaced = fixedHeaders.Concat(appended).Select(h => h.Name).Distinct(StringComparer.Ordinal).ToList();
        return view with { SetsRequestHeaders = true, RequestHeaders = fixedHeaders, AppendedRequestHeaders = appended, ReplacedHeaders = replaced };
    }

    private static bool ClientCanSend(string name) => name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private NginxCorsView Cors(CorsRule cors)
    {
        string id = Hash(cors.ToString());
        bool any = cors.AllowOrigins.Contains("*");
        string? expose = cors.ExposeHeaders.Length == 0 ? null : string.Join(", ", cors.ExposeHeaders);
        _corsMaps[id] = new NginxCorsMapView(
            id,
            any,
            [.. cors.AllowOrigins.Where(o => o != "*" && !o.Contains("://*.", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal)],
            [.. cors.AllowOrigins.Where(o => o.Contains("://*.", StringComparison.Ordinal)).Select(o => OriginPattern(id, o)).Distinct(StringComparer.Ordinal)],
            cors.AllowCredentials,
            expose);
        return new NginxCorsView(
            id,
            string.Join(", ", cors.AllowMethods),
            cors.AllowHeaders.Length == 0 ? null : string.Join(", ", cors.AllowHeaders),
            cors.MaxAge is { } age ? (long)age.TotalSeconds : null,
            cors.AllowCredentials,
            expose is not null,
            !any);
    }

    /// <summary>
    /// "https://*.example.com:8443" of rule ID as an anchored regex of the keys "ID ORIGIN" it allows: one or more DNS
    /// labels in place of "*" (the canonical origin is DNS characters only). No "$": "\z" anchors the end.
    /// </summary>
    private static string OriginPattern(string id, string origin)
    {
        int star = origin.IndexOf("://*.", StringComparison.Ordinal);
        string scheme = origin[..star];
        string rest = origin[(star + 5)..];
        return "~^" + id + " " + scheme + "://[a-z0-9-]+(\\.[a-z0-9-]+)*\\." + rest.Replace(".", "\\.", StringComparison.Ordinal) + "\\z";
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
}
