using System.Security.Cryptography;
using System.Text;
using Portico.Core.Model;
using Portico.Core.Model.Policies;

namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// What one location prints for authentication (templates/nginx/_policy_auth.scriban): basic auth's realm and user
/// file, the auth subrequest's internal location, the variables its answer's headers are copied into, and the named
/// location a 401 goes to when a sign-in URL is set.
/// </summary>
public sealed record NginxLocationAuthView(
    string? BasicRealm,
    string? BasicUserFile,
    string? Request,
    IReadOnlyList<NginxAuthHeaderView> ResponseHeaders,
    string? Signin);

/// <summary>A header name and the nginx variable name (without '$') it travels in: $upstream_http_X, $http_X or $portico_authz_X.</summary>
public sealed record NginxAuthHeaderView(string Name, string Variable);

/// <summary>The auth blocks of one server (templates/nginx/_server_auth.scriban): its checks' internal locations and sign-in redirects.</summary>
public sealed record NginxServerAuthView(IReadOnlyList<NginxAuthCheckView> Checks, IReadOnlyList<NginxSigninView> Signins)
{
    public static NginxServerAuthView None { get; } = new([], []);
}

/// <summary>
/// The internal location of one auth check. <see cref="Target"/> is the full URL the subrequest goes to (an upstream
/// block's name as host for a Service); null when the Service has no ready endpoints (the location answers 503, which
/// auth_request turns into 500). <see cref="ForwardHeaders"/> empty: every request header is forwarded.
/// </summary>
public sealed record NginxAuthCheckView(string Location, string? Target, string? HostHeader, IReadOnlyList<NginxAuthHeaderView> ForwardHeaders);

/// <summary>A named location (without '@') redirecting a 401 to the sign-in URL: <see cref="Prefix"/> ends with "rd=", the escaped original URL follows.</summary>
public sealed record NginxSigninView(string Name, string Prefix);

/// <summary>
/// http-level auth directives (templates/nginx/_http_auth.scriban): each forwarded response header set on every
/// proxied request from its variable (empty, and therefore not sent, outside protected locations; a client's own
/// header of that name never passes), and, with Lua endpoints, upstream blocks for Services that answer auth checks.
/// </summary>
public sealed record NginxHttpAuthView(IReadOnlyList<NginxAuthHeaderView> ResponseHeaders, IReadOnlyList<NginxUpstreamView> Upstreams)
{
    public static NginxHttpAuthView None { get; } = new([], []);
}

/// <summary>Builds the auth views from the routes' policies; names of files and locations come from content hashes only.</summary>
internal sealed class NginxAuthViews(ProxyModel model, bool lua)
{
    public const string CredentialsDirectory = "auth";
    public const string CheckPrefix = "/_portico_auth/";

    private readonly Dictionary<string, Upstream> _upstreams = model.Upstreams.ToDictionary(u => u.Name, StringComparer.Ordinal);

    public static string CredentialsFile(string id) => $"{CredentialsDirectory}/{id}.htpasswd";

    public NginxServerView WithAuth(NginxServerView server)
    {
        var locations = server.Locations.Select(l => l with { Auth = Location(l.Policy) }).ToList();
        var targets = locations.Select(l => l.Policy.ExternalAuth).OfType<ExternalAuthTarget>().Distinct().OrderBy(Id, StringComparer.Ordinal).ToList();
        if (targets.Count == 0)
        {
            return server with { Locations = locations };
        }

        var checks = targets.Select(Check).ToList();
        var signins = targets.Where(t => t.SigninUrl is not null)
            .Select(t => new NginxSigninView("portico_signin_" + Id(t), t.SigninUrl!.AbsoluteUri + (string.IsNullOrEmpty(t.SigninUrl.Query) ? "?" : "&") + "rd="))
            .ToList();
        return server with { Locations = locations, Auth = new NginxServerAuthView(checks, signins) };
    }

    public NginxHttpAuthView Http()
    {
        var targets = model.VirtualHosts.SelectMany(v => v.EffectiveRoutes).Select(r => r.Policy.ExternalAuth).OfType<ExternalAuthTarget>().ToList();
        var headers = targets.SelectMany(t => t.ForwardResponseHeaders).Select(h => new NginxAuthHeaderView(h, "portico_authz_" + Normalize(h)))
            .DistinctBy(h => h.Variable).OrderBy(h => h.Variable, StringComparer.Ordinal).ToList();

        // Without Lua endpoints every upstream with endpoints already has its block.
        var upstreams = !lua ? [] : targets.Select(t => t.UpstreamName).OfType<string>().Distinct().Order(StringComparer.Ordinal)
            .Select(n => _upstreams[n]).Where(u => u.Endpoints.Length > 0)
            .Select(u => new NginxUpstreamView(u.Name, [.. u.Endpoints.Select(e => e.HostPort)]))
            .ToList();
        return headers.Count == 0 && upstreams.Count == 0 ? NginxHttpAuthView.None : new NginxHttpAuthView(headers, upstreams);
    }

    private static NginxLocationAuthView? Location(RoutePolicy policy)
    {
        if (policy.BasicAuth is null && policy.ExternalAuth is null)
        {
            return null;
        }

        var external = policy.ExternalAuth;
        return new NginxLocationAuthView(
            policy.BasicAuth?.Realm,
            policy.BasicAuth is { } basic ? CredentialsFile(basic.Id) : null,
            external is null ? null : CheckPrefix + Id(external),
            external is null ? [] : [.. external.ForwardResponseHeaders.Select(h => new NginxAuthHeaderView("upstream_http_" + Normalize(h), "portico_authz_" + Normalize(h)))],
            external?.SigninUrl is null ? null : "portico_signin_" + Id(external));
    }

    private NginxAuthCheckView Check(ExternalAuthTarget target)
    {
        string location = CheckPrefix + Id(target);
        var forward = target.ForwardRequestHeaders.Select(h => new NginxAuthHeaderView(h, "http_" + Normalize(h))).ToList();
        if (target.Url is { } url)
        {
            return new NginxAuthCheckView(location, url.AbsoluteUri, null, forward);
        }

        var upstream = _upstreams[target.UpstreamName!];
        string host = $"{upstream.Service.Name}.{upstream.Service.Namespace}.svc";
        return new NginxAuthCheckView(location, upstream.Endpoints.Length == 0 ? null : $"http://{upstream.Name}{target.Path}", host, forward);
    }

    /// <summary>nginx variable suffix of a header name: lower case, '-' as '_' (as $http_ and $upstream_http_ name them).</summary>
    private static string Normalize(string header) => header.ToLowerInvariant().Replace('-', '_');

    /// <summary>A content hash of the check: equal checks share one internal location.</summary>
    private static string Id(ExternalAuthTarget target)
    {
        string text = string.Join('\n', target.Url?.AbsoluteUri, target.UpstreamName, target.Path, string.Join(',', target.ForwardRequestHeaders), string.Join(',', target.ForwardResponseHeaders), target.SigninUrl?.AbsoluteUri);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }
}
