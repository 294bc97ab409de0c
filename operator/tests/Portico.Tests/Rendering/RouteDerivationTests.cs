using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Portico.Core.Model;
using Portico.Core.Offline;

namespace Portico.Tests.Rendering;

/// <summary>
/// Decisions in the model, syntax in the renderers: for every golden case, what the nginx config, nginx's live host
/// table and Envoy's route tables emit, read back from the rendered files, is exactly the model's effective routes
/// as (host, path kind, path, action) — nothing added, dropped or re-decided by a renderer. The one addition nginx
/// makes (an exact location "/p" beside an Exact "/p/", against its automatic redirect) must do what the model gives "/p".
/// </summary>
public sealed partial class RouteDerivationTests
{
    public static IEnumerable<TestCaseData> Cases() => CasesFor("nginx");

    /// <summary>Golden cases for one proxy: a case whose "proxies" file leaves the proxy out is not one of its cases.</summary>
    public static IEnumerable<TestCaseData> EnvoyCases() => CasesFor("envoy");

    private static IEnumerable<TestCaseData> CasesFor(string proxy) =>
        Directory.EnumerateDirectories(GoldenTests.TestData).Order(StringComparer.Ordinal)
            .Where(d => GoldenTests.ProxiesOf(d).Contains(proxy))
            .Select(d => new TestCaseData(Path.GetFileName(d)).SetName($"Routes of {Path.GetFileName(d)}"));

    [TestCaseSource(nameof(Cases))]
    public void Nginx_emits_the_model_routes(string name)
    {
        var result = GoldenTests.Render(name, "nginx");
        var model = result.Model;
        var emitted = NginxRoutes(result, model);
        var expected = ModelRoutes(model, host => true, Redirects.BesideRoutes);

        Assert.That(expected.Except(emitted), Is.Empty, "model routes nginx does not emit");
        foreach (var extra in emitted.Except(expected))
        {
            // Only the bare exact location of an Exact "/p/" may be extra, doing what the model gives "/p".
            var host = model.VirtualHosts.Single(v => Key(v) == extra.Host);
            Assert.That(extra.Kind == "Exact" && host.Routes.Any(r => r.Match == new PathMatch(PathKind.Exact, extra.Path + "/")), $"nginx adds a route the model does not have: {extra}");
            Assert.That(extra.Action, Is.EqualTo(Action(host.RouteFor(extra.Path)!.Action, model)), $"the bare exact location of {extra.Path}/ in {extra.Host}");
        }

        Assert.That(emitted.Count, Is.EqualTo(emitted.Distinct().Count()), "no route twice");
    }

    [TestCaseSource(nameof(Cases))]
    public void The_live_host_table_is_the_model_routes_of_each_pending_plain_HTTP_host(string name)
    {
        var result = GoldenTests.Render(name, "nginx");
        if (result.Config["portico-endpoints.txt"] is not { } live)
        {
            Assert.That(result.Config.Live, Is.Empty, "static endpoints: no live file at all");
            return;
        }

        var model = result.Model;
        var table = new Dictionary<string, List<EmittedRoute>>(StringComparer.Ordinal);
        var tls = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in Encoding.ASCII.GetString(live.Content).Split('\n').Where(l => l.StartsWith('=') || l.StartsWith('~')))
        {
            if (line[0] == '~')
            {
                tls.Add(line[1..].Split(' ')[0]);
            }

            string[] tokens = line[1..].Split(' ');
            table[tokens[0]] = [.. tokens.Skip(1).Select(t => t.Split(':')).Select(p => new EmittedRoute(
                tokens[0], p[0] == "E" ? "Exact" : "Prefix", Encoding.UTF8.GetString(Convert.FromHexString(p[1])), LiveAction(string.Join(':', p[2..]).Split(';')[0], EmptyUpstreams(result))))];
        }

        // A host with TLS too (routed over HTTPS by the SNI server, ADR 0017), unless its plain HTTP is redirected.
        var eligible = model.VirtualHosts.Where(v => v.Host.Kind == HostKind.Exact && v.HttpsRedirect is null
            && v.EffectiveRoutes.All(r => r.Action is ForwardAction or RespondAction or SplitAction && r.Match.Kind != PathKind.Regex && Portico.Core.Rendering.Nginx.NginxLivePolicy.EnforcedForHost(r.Policy).IsEmpty)).ToList();
        Assert.That(table.Keys, Is.EquivalentTo(eligible.Select(v => v.Host.Value)), "hosts in the table");
        Assert.That(tls, Is.EquivalentTo(eligible.Where(v => v.CertificateId is not null).Select(v => v.Host.Value)), "\"~HOST\": the hosts with TLS");
        foreach (var host in eligible)
        {
            Assert.That(table[host.Host.Value], Is.EqualTo(ModelRoutes(model, v => v == host, Redirects.None)), $"rules of {host.Host}, in order");
        }
    }

    [TestCaseSource(nameof(EnvoyCases))]
    public void Envoy_emits_the_model_routes(string name)
    {
        var result = GoldenTests.Render(name, "envoy");
        var model = result.Model;
        Assert.That(EnvoyRoutes(result, "rds-http.json"), Is.EquivalentTo(ModelRoutes(model, v => true, Redirects.InsteadOfRoutes, envoy: true)), "plain-HTTP route table");
        Assert.That(EnvoyRoutes(result, "rds-https.json"), Is.EquivalentTo(ModelRoutes(model, v => v.CertificateId is not null || v.Host.Kind == HostKind.Any, Redirects.None, envoy: true)), "HTTPS route table");
    }

    private sealed record EmittedRoute(string Host, string Kind, string Path, string Action);

    private static string Key(VirtualHost host) => host.Host.Kind == HostKind.Any ? string.Empty : host.Host.Value;

    /// <summary>How a host that redirects plain HTTP appears: nginx redirects in the server and keeps its locations for HTTPS; Envoy's plain table has only the redirect.</summary>
    private enum Redirects
    {
        None,
        BesideRoutes,
        InsteadOfRoutes,
    }

    /// <summary>The model's effective routes as tuples; a host's HTTPS redirect is a Prefix "/" redirect route.</summary>
    private static List<EmittedRoute> ModelRoutes(ProxyModel model, Func<VirtualHost, bool> hosts, Redirects redirects, bool envoy = false)
    {
        var routes = new List<EmittedRoute>();
        foreach (var host in model.VirtualHosts.Where(hosts))
        {
            bool redirecting = host.HttpsRedirect is not null && redirects != Redirects.None;
            if (redirecting)
            {
                routes.Add(new EmittedRoute(Key(host), "Prefix", "/", Action(host.HttpsRedirect!, model)));
            }

            if (!redirecting || redirects == Redirects.BesideRoutes)
            {
                // Envoy's plain table redirects a route whose own policy asks for HTTPS (nginx keeps the location).
                // Envoy checks only {SHA} basic-auth hashes: a route with others denies there (docs/policies.md, "Envoy").
                routes.AddRange(host.EffectiveRoutes.Select(r => new EmittedRoute(Key(host), r.Match.Kind.ToString(), r.Match.Path,
                    envoy && r.Policy.BasicAuth is { } auth && auth.Users.Any(u => !u.Hash.StartsWith("{SHA}", StringComparison.Ordinal)) ? "status 403"
                    : Action(redirects == Redirects.InsteadOfRoutes && r.Policy.HttpsRedirect is { } own ? own : r.Action, model))));
            }
        }

        return routes;
    }

    private static string Action(RouteAction action, ProxyModel model) => action switch
    {
        ForwardAction forward => "upstream " + forward.UpstreamName,
        ExternalNameAction external => "upstream " + external.UpstreamName,
        RespondAction respond => $"status {respond.Status}",
        RedirectAction redirect => $"redirect {redirect.Status} {redirect.Scheme}:{redirect.Port}",
        SplitAction split => string.Concat(split.Selectors.Select(c => Selector(c.Source == SelectorSource.Header ? "header" : "cookie", c.Name, c.Value, c.UpstreamName, EmptyUpstreams(model))))
            + Split(split.Backends.Select(b => b.UpstreamName), EmptyUpstreams(model)),
        UrlRedirectAction url => $"redirect {url.Status}",
        _ => throw new AssertionException($"unknown action {action}"),
    };

    /// <summary>A weighted split by its shares in order, each an upstream or "503" (no endpoints); the weights are checked on real nginx.</summary>
    private static string Split(IEnumerable<string> upstreams, HashSet<string> emptyUpstreams) =>
        "split " + string.Join(",", upstreams.Select(u => u.Length == 0 || emptyUpstreams.Contains(u) ? "503" : u));

    /// <summary>A split's selector (a canary's header or cookie rule), before its shares: "header x-canary=always -> UPSTREAM; ".</summary>
    private static string Selector(string source, string name, string value, string upstream, HashSet<string> emptyUpstreams) =>
        $"{source} {name}={value} -> {(upstream.Length == 0 || emptyUpstreams.Contains(upstream) ? "503" : upstream)}; ";

    /// <summary>A cookie selector's regex (<see cref="Portico.Core.Rendering.SelectorPatterns.Cookie"/>) read back as (name, value).</summary>
    private static (string Name, string Value) CookiePattern(string pattern)
    {
        const string Head = "^(.*;)?\\s*", Tail = "(;.*)?$";
        Assert.That(pattern, Does.StartWith(Head).And.EndWith(Tail), "a cookie selector's pattern");
        string pair = pattern[Head.Length..^Tail.Length];
        int equals = pair.IndexOf('=', StringComparison.Ordinal);
        return (Regex.Unescape(pair[..equals]), Regex.Unescape(pair[(equals + 1)..]));
    }

    private static HashSet<string> EmptyUpstreams(ProxyModel model) => [.. model.Upstreams.Where(u => u.ExternalName is null && u.Endpoints.IsEmpty).Select(u => u.Name)];

    /// <summary>A live target as the Lua serves it: "!STATUS", or an upstream, which answers 503 while it has no endpoints.</summary>
    private static string LiveAction(string target, HashSet<string> emptyUpstreams) =>
        target.Contains('|', StringComparison.Ordinal)
            ? string.Concat(target.Split('|')[..^1].Select(p => p.Split(':')).Select(p => Selector(p[0] == "h" ? "header" : "cookie",
                Encoding.ASCII.GetString(Convert.FromHexString(p[1])), Encoding.ASCII.GetString(Convert.FromHexString(p[2])), p[3], emptyUpstreams)))
              + LiveAction(target.Split('|')[^1], emptyUpstreams)
        : target.StartsWith("w:", StringComparison.Ordinal) ? Split(target[2..].Split(',').Select(s => s.Split('=')[0]), emptyUpstreams)
        : target.StartsWith('!') ? "status " + target[1..] : emptyUpstreams.Contains(target) ? "status 503" : "upstream " + target;

    private static HashSet<string> EmptyUpstreams(OfflineResult result) =>
        result.Config["portico-endpoints.txt"] is { } live
            ? [.. Encoding.ASCII.GetString(live.Content).Split('\n').Where(l => l.Length > 0 && !l.Contains(' ', StringComparison.Ordinal) && !l.StartsWith('#'))]
            : [];

    /// <summary>nginx.conf read back: each server's locations as routes (Prefix "/p" is the pair "= /p" + "^~ /p/"), targets through the live file's route lines.</summary>
    private static List<EmittedRoute> NginxRoutes(OfflineResult result, ProxyModel model)
    {
        string conf = Encoding.UTF8.GetString(result.Config["nginx.conf"]!.Content);
        string[] liveLines = result.Config["portico-endpoints.txt"] is { } live ? Encoding.ASCII.GetString(live.Content).Split('\n') : [];
        var liveRoutes = liveLines.Where(l => l.StartsWith('@')).Select(l => l[1..].Split(' ')).ToDictionary(p => p[0], p => p[1]);
        var liveRules = liveLines.Where(l => l.StartsWith('&')).Select(l => l[1..].Split(' ')).ToDictionary(p => p[0], p => p[1..]);
        var empty = EmptyUpstreams(result);
        var routes = new List<EmittedRoute>();
        var servers = conf.Split("\n    server {\n").Skip(1).ToList();
        foreach (string server in servers)
        {
            string serverName = ServerName().Match(server).Groups[1].Value.Trim('"');
            string host = serverName == "_" ? string.Empty : serverName.StartsWith("~^[^.]+\\.", StringComparison.Ordinal)
                ? "*." + serverName["~^[^.]+\\.".Length..^1].Replace("\\.", ".", StringComparison.Ordinal)
                : serverName;
            var locations = Location().Matches(server).Where(m => !m.Groups[3].Value.StartsWith("            internal;\n", StringComparison.Ordinal)).Select(m => (Modifier: m.Groups[1].Value.Trim(), Path: m.Groups[2].Value, Action: NginxAction(m.Groups[3].Value, conf, liveRoutes, empty, model))).ToList();
            var prefixes = locations.Where(l => l.Modifier == "^~").Select(l => l.Path[..^1]).ToHashSet(StringComparer.Ordinal);
            if (Redirect().Match(server) is { Success: true } redirect)
            {
                routes.Add(new EmittedRoute(host, "Prefix", "/", $"redirect {redirect.Groups[1].Value} https:{(redirect.Groups[2].Value.Length == 0 ? "443" : redirect.Groups[2].Value)}"));
            }

            // A server matched by Lua (ADR 0011): one location naming its rules in the live file, which are its routes.
            if (MatchedRules().Match(server) is { Success: true } matched)
            {
                routes.AddRange(liveRules[matched.Groups[1].Value].Select(t => t.Split(':')).Select(p => new EmittedRoute(
                    host, p[0] == "E" ? "Exact" : "Prefix", Encoding.UTF8.GetString(Convert.FromHexString(p[1])), LiveAction(string.Join(':', p[2..]).Split(';')[0], empty))));
                Assert.That(locations.Where(l => !l.Path.StartsWith("/_portico_auth/", StringComparison.Ordinal)), Has.Exactly(1).Items, $"a server matched by Lua has one location: {host}");
                continue;
            }

            foreach (var location in locations)
            {
                switch (location.Modifier)
                {
                    case "^~":
                        routes.Add(new EmittedRoute(host, "Prefix", location.Path[..^1], location.Action));
                        break;
                    case "=" when prefixes.Contains(location.Path):
                        break; // the exact half of a Prefix pair, or an Exact route of the same path (checked below)
                    case "=":
                        routes.Add(new EmittedRoute(host, "Exact", location.Path, location.Action));
                        break;
                    case "~":
                        // A regex path is "^(?:PATH)"; a Prefix route on a host with regex routes is "^PATH(?:/|$)".
                        string regex = location.Path.Replace("\\\\", "\\", StringComparison.Ordinal);
                        routes.Add(regex.StartsWith("^(?:", StringComparison.Ordinal)
                            ? new EmittedRoute(host, "Regex", regex[4..^1], location.Action)
                            : new EmittedRoute(host, "Prefix", Regex.Unescape(regex[1..^"(?:/|$)".Length]), location.Action));
                        break;
                    default:
                        routes.Add(new EmittedRoute(host, "Prefix", location.Path, location.Action));
                        break;
                }
            }

            // "= /p" beside "^~ /p/" is the Prefix route's, unless an Exact "/p" route owns it.
            foreach (var pair in locations.Where(l => l.Modifier == "=" && prefixes.Contains(l.Path)))
            {
                var prefixAction = locations.Single(l => l.Modifier == "^~" && l.Path == pair.Path + "/").Action;
                if (pair.Action != prefixAction || model.VirtualHosts.Any(v => Key(v) == host && v.Routes.Any(r => r.Match == new PathMatch(PathKind.Exact, pair.Path))))
                {
                    routes.Add(new EmittedRoute(host, "Exact", pair.Path, pair.Action));
                }
            }
        }

        // Hosts without a server block of their own (ADR 0014, 0017): the default server (and the SNI server) routes
        // them by their "=HOST" ("~HOST" with TLS) lines of the live file.
        var withServers = routes.Select(r => r.Host).ToHashSet(StringComparer.Ordinal);
        foreach (string[] tokens in liveLines.Where(l => l.StartsWith('=') || l.StartsWith('~')).Select(l => l[1..].Split(' ')).Where(t => !withServers.Contains(t[0])))
        {
            routes.AddRange(tokens.Skip(1).Select(t => t.Split(':')).Select(p => new EmittedRoute(
                tokens[0], p[0] == "E" ? "Exact" : "Prefix", Encoding.UTF8.GetString(Convert.FromHexString(p[1])), LiveAction(string.Join(':', p[2..]).Split(';')[0], empty))));
        }

        return routes;
    }

    private static string NginxAction(string body, string conf, Dictionary<string, string> liveRoutes, HashSet<string> emptyUpstreams, ProxyModel model)
    {
        if (Regex.Match(body, "set \\$portico_route \"(r[0-9a-f]+)\";") is { Success: true } route)
        {
            return LiveAction(liveRoutes[route.Groups[1].Value], emptyUpstreams);
        }

        if (Regex.Match(body, "set \\$portico_external \"([^\"]+):([0-9]+)\";") is { Success: true } external)
        {
            return "upstream " + model.Upstreams.Single(u => u.ExternalName == external.Groups[1].Value && u.Port == int.Parse(external.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)).Name;
        }

        if (Regex.Match(body, "(?:proxy|grpc)_pass (?:http|https|grpc|grpcs)://\\$(portico_canary_[0-9a-f]+_0);") is { Success: true } canary)
        {
            // A chain of selector maps (one per selector, in order) ending at the split's split_clients variable.
            var selectors = new StringBuilder();
            string variable = canary.Groups[1].Value;
            while (variable.StartsWith("portico_canary_", StringComparison.Ordinal))
            {
                var map = Regex.Match(conf, "    map \\$([a-z0-9_]+) \\$" + variable + " \\{\n        \"~((?:[^\"\\\\]|\\\\.)*)\" \"?([a-z0-9_.-]*)\"?;\n        default \\$([a-z0-9_]+);\n    \\}");
                Assert.That(map.Success, $"no map block for {variable}");
                string pattern = Regex.Replace(map.Groups[2].Value, "\\\\(.)", "$1");
                var (name, value) = map.Groups[1].Value == "http_cookie"
                    ? CookiePattern(pattern)
                    : (map.Groups[1].Value["http_".Length..].Replace('_', '-'), Regex.Unescape(pattern[1..^1]));
                selectors.Append(Selector(map.Groups[1].Value == "http_cookie" ? "cookie" : "header", name, value, map.Groups[3].Value, emptyUpstreams));
                variable = map.Groups[4].Value;
            }

            return selectors + NginxAction($"proxy_pass http://${variable};", conf, liveRoutes, emptyUpstreams, model);
        }

        if (Regex.Match(body, "(?:proxy|grpc)_pass (?:http|https|grpc|grpcs)://\\$(portico_split_[0-9a-f]+);") is { Success: true } split)
        {
            // The split_clients block of that variable: its shares in order ("" answers 503).
            var block = Regex.Match(conf, "split_clients \"\\$\\{[a-z0-9_]+\\}\" \\$" + split.Groups[1].Value + " \\{\n((?:        [^\n]*\n)+)    \\}");
            Assert.That(block.Success, $"no split_clients block for {split.Groups[1].Value}");
            return Split(Regex.Matches(block.Groups[1].Value, "        \"[0-9.%*]+\" \"?([a-z0-9_.-]*)\"?;").Select(m => WithoutVariant(m.Groups[1].Value)), emptyUpstreams);
        }

        if (Regex.Match(body, "(?:proxy|grpc)_pass (?:http|https|grpc|grpcs)://([a-z0-9_.-]+);") is { Success: true } upstream)
        {
            return "upstream " + WithoutVariant(upstream.Groups[1].Value);
        }

        if (Regex.Match(body, "return ([0-9]+) \"") is { Success: true } redirectTo)
        {
            return "redirect " + redirectTo.Groups[1].Value;
        }

        return Regex.Match(body, "return ([0-9]+);") is { Success: true } status ? "status " + status.Groups[1].Value : throw new AssertionException($"unreadable location: {body}");
    }

    /// <summary>An upstream block's Service upstream: a variant carrying an endpoint choice ("NAME__lbHASH", no Lua endpoints) is NAME's endpoints.</summary>
    private static string WithoutVariant(string upstream) => Regex.Replace(upstream, "__lb[0-9a-f]{8}$", string.Empty);

    /// <summary>An Envoy route table read back; a wildcard host's own routes are those with its one-label :authority condition (the any-host routes follow them).</summary>
    private static List<EmittedRoute> EnvoyRoutes(OfflineResult result, string file)
    {
        var table = JsonNode.Parse(result.Config[file]!.Content)!["resources"]![0]!;
        var routes = new List<EmittedRoute>();
        foreach (var host in table["virtual_hosts"]!.AsArray())
        {
            string name = host!["name"]!.GetValue<string>();
            bool wildcard = name.StartsWith("*.", StringComparison.Ordinal);
            var selectors = new StringBuilder();
            foreach (var route in host["routes"]!.AsArray())
            {
                var match = route!["match"]!;
                if (wildcard && match["headers"]?.AsArray().Any(h => h!["name"]!.GetValue<string>() == ":authority") != true)
                {
                    continue;
                }

                // A split's selectors are routes of their own with a header condition, right before the weighted route.
                if (match["headers"]?.AsArray().FirstOrDefault(h => h!["name"]!.GetValue<string>() != ":authority") is { } header)
                {
                    string headerName = header["name"]!.GetValue<string>();
                    var (selectorName, value) = headerName == "cookie"
                        ? CookiePattern(header["string_match"]!["safe_regex"]!["regex"]!.GetValue<string>())
                        : (headerName, header["string_match"]!["exact"]!.GetValue<string>());
                    selectors.Append(Selector(headerName == "cookie" ? "cookie" : "header", selectorName, value, route["route"]!["cluster"]!.GetValue<string>().Split('/')[0], EmptyUpstreams(result.Model)));
                    continue;
                }

                var (kind, path) = match["path"] is { } exact ? ("Exact", exact.GetValue<string>())
                    : match["safe_regex"] is { } regex ? ("Regex", regex["regex"]!.GetValue<string>()[4..^3])
                    : match["path_separated_prefix"] is { } prefix ? ("Prefix", prefix.GetValue<string>())
                    : ("Prefix", match["prefix"]!.GetValue<string>());
                // A cluster named UPSTREAM/HASH is that upstream with the options a route policy asked for.
                static string Upstream(JsonNode name) => name.GetValue<string>().Split('/')[0];
                string action = route["route"] is { } forward
                    ? forward["weighted_clusters"] is { } weighted
                        ? Split(weighted["clusters"]!.AsArray().Select(c => Upstream(c!["name"]!)), EmptyUpstreams(result.Model))
                        : "upstream " + Upstream(forward["cluster"]!)
                    : route["redirect"] is { } redirect ? redirect["https_redirect"] is null ? $"redirect {RedirectStatus(redirect["response_code"]!.GetValue<string>())}" : $"redirect {RedirectStatus(redirect["response_code"]!.GetValue<string>())} https:{redirect["port_redirect"]}"
                    : "status " + route["direct_response"]!["status"];
                routes.Add(new EmittedRoute(name == "*" ? string.Empty : name, kind, path, selectors + action));
                selectors.Clear();
            }
        }

        return routes;
    }

    private static int RedirectStatus(string code) => code switch
    {
        "MOVED_PERMANENTLY" => 301,
        "FOUND" => 302,
        "SEE_OTHER" => 303,
        "TEMPORARY_REDIRECT" => 307,
        "PERMANENT_REDIRECT" => 308,
        _ => throw new AssertionException($"unknown redirect code {code}"),
    };

    [GeneratedRegex("\n            set \\$portico_rules \"(h[0-9a-f]+)\";\n")]
    private static partial Regex MatchedRules();

    [GeneratedRegex("server_name ([^;]+);")]
    private static partial Regex ServerName();

    [GeneratedRegex("\n        location (= |\\^~ |~ )?\"([^\"]*)\" \\{\n((?:            [^\n]*\n)+)        \\}")]
    private static partial Regex Location();

    [GeneratedRegex("if \\(\\$scheme = http\\) \\{\n            return ([0-9]+) https://\\$host:?([0-9]*)\\$request_uri;")]
    private static partial Regex Redirect();
}
