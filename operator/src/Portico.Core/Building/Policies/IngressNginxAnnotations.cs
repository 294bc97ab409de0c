using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Portico.Core.Model;
using Portico.Core.Model.Policies;
using Portico.Core.Values;

namespace Portico.Core.Building.Policies;

/// <summary>
/// Reads an Ingress's <c>nginx.ingress.kubernetes.io/*</c> annotations into the same typed model as an IngressPolicy
/// (<see cref="PolicySpec"/>) plus <see cref="IngressNginxRouting"/>, with a diagnostic naming the annotation for every
/// value refused and every annotation not implemented. Pure and deterministic.
/// <list type="bullet">
/// <item>Each annotation stands alone: a refused value is an error and is not used; the others still apply.</item>
/// <item>Access control fails closed: an IP list, basic auth, external auth or client-certificate annotation that is
/// refused or cannot be honoured adds a deny reason, and the Ingress must answer 403, never openly.</item>
/// <item>Snippets (any annotation whose name holds "snippet") are refused: raw config injection, the CVE class that
/// made ingress-nginx unsafe. No switch turns them on.</item>
/// <item>An <c>nginx.ingress.kubernetes.io/</c> annotation Portico does not implement gets a warning naming it.</item>
/// <item>The legacy prefix <c>ingress.kubernetes.io/</c> is not read: a key there that Portico would implement gets a
/// warning, and one carrying access control denies (it would have been enforced by an old controller).</item>
/// </list>
/// </summary>
public static partial class IngressNginxAnnotations
{
    public const string Prefix = "nginx.ingress.kubernetes.io/";
    public const string LegacyPrefix = "ingress.kubernetes.io/";
    public const int MaxValueLength = 4096;
    public const int MaxListItems = 256;
    public const int MaxTimeoutSeconds = 7 * 24 * 3600;
    public const long MaxBodyBytes = 1L << 40;
    public const long MaxBufferBytes = 16L << 20;
    public const string DefaultRealm = "Authentication required";
    public const string DefaultCookieName = "INGRESSCOOKIE";

    /// <summary>The names (after the prefix) Portico reads; every one is documented in docs/policies.md.</summary>
    public static IReadOnlySet<string> Supported { get; } = new SortedSet<string>(StringComparer.Ordinal)
    {
        "ssl-redirect", "force-ssl-redirect", "proxy-body-size",
        "proxy-connect-timeout", "proxy-read-timeout", "proxy-send-timeout",
        "enable-cors", "cors-allow-origin", "cors-allow-methods", "cors-allow-headers", "cors-allow-credentials", "cors-max-age", "cors-expose-headers",
        "whitelist-source-range", "allowlist-source-range", "denylist-source-range",
        "limit-rps", "limit-burst-multiplier", "limit-connections",
        "auth-type", "auth-secret", "auth-secret-type", "auth-realm",
        "auth-url", "auth-signin", "auth-response-headers",
        "backend-protocol", "upstream-hash-by",
        "affinity", "session-cookie-name", "session-cookie-max-age", "session-cookie-expires",
        "permanent-redirect", "permanent-redirect-code", "temporal-redirect", "temporal-redirect-code",
        "app-root", "from-to-www-redirect",
        "canary", "canary-weight", "canary-weight-total", "canary-by-header", "canary-by-header-value", "canary-by-cookie",
        "proxy-next-upstream", "proxy-next-upstream-tries", "proxy-next-upstream-timeout",
        "proxy-buffering", "proxy-buffer-size", "proxy-request-buffering",
        "rewrite-target", "use-regex",
    };

    /// <summary>Names that carry access control: refused, unreadable or under the legacy prefix, they deny.</summary>
    private static readonly HashSet<string> AccessControl =
    [
        "whitelist-source-range", "allowlist-source-range", "denylist-source-range",
        "auth-type", "auth-secret", "auth-secret-type", "auth-realm", "auth-url", "auth-signin", "auth-response-headers",
    ];

    private static readonly string[] BasicAuthFamily = ["auth-secret", "auth-secret-type", "auth-realm"];
    private static readonly string[] ExternalAuthFamily = ["auth-signin", "auth-response-headers"];

    private static readonly HashSet<string> Methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];

    private const string DefaultCorsMethods = "GET, PUT, POST, DELETE, PATCH, OPTIONS";
    private const string DefaultCorsHeaders = "DNT,X-CustomHeader,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Authorization";
    private const int DefaultCorsMaxAgeSeconds = 1_728_000;

    /// <summary>Reads the annotations of the Ingress <paramref name="ingress"/>; its namespace is the only one references may name.</summary>
    public static IngressNginxAnnotationResult Parse(IDictionary<string, string>? annotations, ObjectRef ingress)
    {
        ArgumentNullException.ThrowIfNull(ingress);
        if (annotations is null || !annotations.Keys.Any(k => k.StartsWith(Prefix, StringComparison.Ordinal) || k.StartsWith(LegacyPrefix, StringComparison.Ordinal)))
        {
            // Most Ingresses: nothing for the reader, whose collections every build would otherwise make for each.
            return Unannotated;
        }

        var reader = new Reader(ingress);
        reader.Read(annotations);
        return reader.Result();
    }

    /// <summary>
    /// Checks one path of an Ingress whose annotations turned regular expressions on: the path must be in Portico's
    /// regex dialect (<see cref="PathRegexValue"/>), and have as many capture groups as the rewrite refers to.
    /// </summary>
    public static bool TryParseRegexPath(string? path, RewriteTarget? rewrite, out Regex regex, out string error)
    {
        if (!PathRegexValue.TryParse(path, out regex, out error))
        {
            return false;
        }

        if (!path!.StartsWith('/') && !path.StartsWith("^/", StringComparison.Ordinal))
        {
            error = "must start with \"/\" (or \"^/\")";
            return false;
        }

        int groups = regex.GetGroupNumbers().Length - 1;
        if (rewrite is not null && rewrite.HighestGroup > groups)
        {
            error = $"has {groups} capture groups, but rewrite-target {Printable.Quote(rewrite.ToString())} refers to ${rewrite.HighestGroup}";
            return false;
        }

        return true;
    }

    /// <summary>What an Ingress without an ingress-nginx annotation gives: no policy, no routing, nothing said.</summary>
    private static IngressNginxAnnotationResult Unannotated => field ??= new Reader(new ObjectRef(Kubernetes.KnownKinds.Ingress, "default", "unannotated")).Result();

    private sealed class Reader(ObjectRef ingress)
    {
        private readonly SortedDictionary<string, string> _values = new(StringComparer.Ordinal);

        // Supported annotations whose value was refused for its length before any grammar read it: families treat them
        // as given (and refused), exactly as a value their grammar refuses.
        private readonly HashSet<string> _tooLong = new(StringComparer.Ordinal);
        private readonly List<Diagnostic> _diagnostics = [];
        private readonly SortedSet<string> _deny = new(StringComparer.Ordinal);
        private PolicySpec _spec = new();
        private IngressNginxRouting _routing = IngressNginxRouting.None;

        public void Read(IDictionary<string, string> annotations)
        {
            foreach (var (key, value) in annotations.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                Sort(key, value);
            }

            Ssl();
            BodySize();
            Timeouts();
            Cors();
            IpAccess();
            RateLimits();
            BasicAuth();
            ExternalAuth();
            Backend();
            HashBy();
            Affinity();
            Redirects();
            Canary();
            NextUpstream();
            Buffering();
            Rewrite();
        }

        public IngressNginxAnnotationResult Result()
        {
            bool anyPolicy = !_spec.Equals(new PolicySpec());
            return new IngressNginxAnnotationResult(
                anyPolicy ? _spec : null,
                _routing,
                [.. _deny],
                [.. _diagnostics.Distinct().Order()]);
        }

        /// <summary>Files one annotation: read later, refused now, or warned about.</summary>
        private void Sort(string key, string? value)
        {
            string field = Printable.Escape(key);
            bool legacy = !key.StartsWith(Prefix, StringComparison.Ordinal) && key.StartsWith(LegacyPrefix, StringComparison.Ordinal);
            if (!key.StartsWith(Prefix, StringComparison.Ordinal) && !legacy)
            {
                return;
            }

            string name = key[(legacy ? LegacyPrefix : Prefix).Length..];
            if (name.Contains("snippet", StringComparison.OrdinalIgnoreCase))
            {
                const string Why = "snippet annotations are refused: they paste raw text into the proxy's configuration (the injection class of CVE-2021-25742 and CVE-2025-1974); no setting turns them on. Use an IngressPolicy field instead";
                if (value is not null && SnippetAccessControl().IsMatch(value))
                {
                    Deny(field, Why + ". This snippet appears to control access (allow, deny, auth_*, satisfy or return 401/403), so this Ingress denies every request rather than serving what it protected");
                }
                else
                {
                    Error(field, Why);
                }

                return;
            }

            if (name.StartsWith("auth-tls-", StringComparison.Ordinal))
            {
                Deny(field, "client-certificate authentication (auth-tls-*) is not implemented, so this Ingress denies every request rather than serving it without the check");
                return;
            }

            if (legacy)
            {
                if (AccessControl.Contains(name))
                {
                    Deny(field, $"the legacy prefix {LegacyPrefix} is not read; this Ingress denies every request rather than serving without the access control it asks for (write {Prefix}{Printable.Escape(name)})");
                }
                else if (Supported.Contains(name))
                {
                    Warning(field, $"the legacy prefix {LegacyPrefix} is not read and this annotation is ignored; write {Prefix}{Printable.Escape(name)}");
                }

                return;
            }

            if (!Supported.Contains(name))
            {
                Warning(field, "is not implemented by Portico and is ignored");
                return;
            }

            if (value is null || value.Length > MaxValueLength)
            {
                if (AccessControl.Contains(name))
                {
                    Deny(field, $"must be a value of at most {MaxValueLength} characters; this Ingress denies every request");
                }
                else
                {
                    Error(field, $"must be a value of at most {MaxValueLength} characters; ignored");
                }

                _tooLong.Add(name);
                return;
            }

            _values[name] = value;
        }

        /// <summary>True when the annotation was written, whether or not its value was accepted.</summary>
        private bool Given(string name) => _values.ContainsKey(name) || _tooLong.Contains(name);

        private void Ssl()
        {
            bool? ssl = Bool("ssl-redirect");
            bool? force = Bool("force-ssl-redirect");
            if (force == true)
            {
                _spec = _spec with { HttpsRedirect = true };
            }
            else if (ssl == false)
            {
                _spec = _spec with { HttpsRedirect = false };
            }
        }

        private void BodySize()
        {
            if (Size("proxy-body-size", 0, MaxBodyBytes) is { } bytes)
            {
                _spec = _spec with { MaxRequestBodyBytes = bytes };
            }
        }

        private void Timeouts()
        {
            var connect = Seconds("proxy-connect-timeout");
            var read = Seconds("proxy-read-timeout");
            var send = Seconds("proxy-send-timeout");
            TimeSpan? idle = read is null ? send : send is null ? read : TimeSpan.FromTicks(Math.Max(read.Value.Ticks, send.Value.Ticks));
            if (read is not null && send is not null && read != send)
            {
                Warning(Key("proxy-send-timeout"), $"Portico has one idle timeout for reading and sending; both use the larger, {idle!.Value.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds");
            }

            if (connect is not null || idle is not null)
            {
                _spec = _spec with { Timeouts = new TimeoutRule(connect, null, idle) };
            }
        }

        private void Cors()
        {
            string[] family = ["cors-allow-origin", "cors-allow-methods", "cors-allow-headers", "cors-allow-credentials", "cors-max-age", "cors-expose-headers"];
            if (Bool("enable-cors") != true)
            {
                foreach (string name in family.Where(Given))
                {
                    Warning(Key(name), "has no effect without nginx.ingress.kubernetes.io/enable-cors: \"true\" and is ignored");
                }

                return;
            }

            bool ok = true;
            var origins = new List<string>();
            foreach (string item in List("cors-allow-origin", "*", ref ok))
            {
                if (OriginValue.TryParse(item, out string origin))
                {
                    origins.Add(origin);
                }
                else
                {
                    ok = Fail("cors-allow-origin", $"{Printable.Quote(item)} {OriginValue.Rule}");
                }
            }

            var methods = new List<string>();
            foreach (string item in List("cors-allow-methods", DefaultCorsMethods, ref ok))
            {
                string upper = item.ToUpperInvariant();
                if (MethodText().IsMatch(item) && Methods.Contains(upper))
                {
                    methods.Add(upper);
                }
                else
                {
                    ok = Fail("cors-allow-methods", $"{Printable.Quote(item)} must be an HTTP method (GET, POST, ...)");
                }
            }

            var allowHeaders = HeaderNames("cors-allow-headers", DefaultCorsHeaders, allowStar: false, ref ok);
            var exposeHeaders = HeaderNames("cors-expose-headers", string.Empty, allowStar: true, ref ok);
            bool? credentials = Bool("cors-allow-credentials");
            if (credentials == true && origins.Contains("*"))
            {
                ok = Fail("cors-allow-credentials", "cannot be true with the origin \"*\" (browsers refuse it); list the origins in cors-allow-origin");
            }

            int? maxAge = Integer("cors-max-age", 0, 365 * 24 * 3600);
            if (Given("cors-max-age") && maxAge is null)
            {
                ok = false;
            }

            if (!ok || (Given("cors-allow-credentials") && credentials is null))
            {
                Error(Key("enable-cors"), "CORS is not set because a cors-* annotation was refused (see its diagnostic); browsers will refuse cross-origin requests");
                return;
            }

            // ingress-nginx defaults credentials to true; with the default origin "*" browsers refuse that, so Portico sends none.
            bool allowCredentials = credentials ?? !origins.Contains("*");
            _spec = _spec with
            {
                Cors = new CorsRule(
                    [.. origins.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                    [.. methods.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                    allowHeaders,
                    exposeHeaders,
                    allowCredentials,
                    TimeSpan.FromSeconds(maxAge ?? DefaultCorsMaxAgeSeconds)),
            };
        }

        private void IpAccess()
        {
            var allow = Networks("whitelist-source-range") ?? [];
            allow = [.. allow, .. Networks("allowlist-source-range") ?? []];
            var deny = Networks("denylist-source-range") ?? [];
            if (allow.Count + deny.Count == 0)
            {
                return;
            }

            _spec = _spec with { IpAccess = new IpAccessRule(Canonical(allow), Canonical(deny)) };
        }

        private void RateLimits()
        {
            int? rps = Integer("limit-rps", 1, 1_000_000);
            int? multiplier = Integer("limit-burst-multiplier", 1, 1000);
            if (rps is { } perSecond)
            {
                _spec = _spec with { RateLimit = new RateLimitRule(perSecond, (int)Math.Min(1_000_000L, (long)perSecond * (multiplier ?? 5))) };
            }
            else if (Given("limit-burst-multiplier") && !Given("limit-rps"))
            {
                Warning(Key("limit-burst-multiplier"), "has no effect without nginx.ingress.kubernetes.io/limit-rps and is ignored");
            }

            if (Integer("limit-connections", 1, 1_000_000) is { } connections)
            {
                _routing = _routing with { LimitConnections = connections };
            }
        }

        private void BasicAuth()
        {
            if (!_values.TryGetValue("auth-type", out string? type))
            {
                foreach (string name in BasicAuthFamily.Where(Given))
                {
                    Warning(Key(name), "has no effect without nginx.ingress.kubernetes.io/auth-type: basic and is ignored (no authentication is set)");
                }

                return;
            }

            if (type != "basic")
            {
                Deny(Key("auth-type"), $"{Printable.Quote(type)} is not supported (only \"basic\"); this Ingress denies every request rather than serving it without authentication");
                return;
            }

            bool ok = true;
            string? secret = null;
            if (!_values.TryGetValue("auth-secret", out string? reference))
            {
                ok = DenyFail("auth-type", "basic authentication needs nginx.ingress.kubernetes.io/auth-secret; this Ingress denies every request");
            }
            else
            {
                int slash = reference.IndexOf('/', StringComparison.Ordinal);
                string ns = slash < 0 ? ingress.Namespace : reference[..slash];
                string name = slash < 0 ? reference : reference[(slash + 1)..];
                if (!DnsGrammar.IsLabel(ns) || !DnsGrammar.IsSubdomain(name))
                {
                    ok = DenyFail("auth-secret", $"{Printable.Quote(reference)} is not a Secret name (or namespace/name); this Ingress denies every request");
                }
                else if (ns != ingress.Namespace)
                {
                    ok = DenyFail("auth-secret", $"{Printable.Quote(reference)} names a Secret of another namespace; references to other namespaces are refused, and this Ingress denies every request");
                }
                else
                {
                    secret = name;
                }
            }

            var format = BasicAuthSecretFormat.AuthFile;
            if (_values.TryGetValue("auth-secret-type", out string? formatText))
            {
                switch (formatText)
                {
                    case "auth-file":
                        break;
                    case "auth-map":
                        format = BasicAuthSecretFormat.AuthMap;
                        break;
                    default:
                        ok = DenyFail("auth-secret-type", $"{Printable.Quote(formatText)} must be auth-file or auth-map; this Ingress denies every request");
                        break;
                }
            }

            string realm = _values.GetValueOrDefault("auth-realm") ?? DefaultRealm;
            if (!RealmText().IsMatch(realm))
            {
                ok = DenyFail("auth-realm", $"{Printable.Quote(realm)} must be 1 to 128 letters, digits, spaces and .,:_-; this Ingress denies every request");
            }

            if (ok)
            {
                _spec = _spec with { BasicAuth = new BasicAuthRule(secret!, realm) };
                _routing = _routing with { BasicAuthFormat = format };
            }
        }

        private void ExternalAuth()
        {
            if (!_values.TryGetValue("auth-url", out string? urlText))
            {
                foreach (string name in ExternalAuthFamily.Where(_values.ContainsKey))
                {
                    Warning(Key(name), "has no effect without nginx.ingress.kubernetes.io/auth-url and is ignored");
                }

                return;
            }

            bool ok = true;
            if (!HttpUrlValue.TryParse(urlText, allowQuery: false, out Uri url))
            {
                string hint = urlText.Contains('$', StringComparison.Ordinal) ? " (nginx variables such as $host are not accepted: name the auth service's address, or use an IngressPolicy's externalAuth.service)" : string.Empty;
                ok = DenyFail("auth-url", $"{Printable.Quote(urlText)} {HttpUrlValue.Rule}, without a query{hint}; this Ingress denies every request");
            }
            else if (!IsSafeAuthTarget(url))
            {
                ok = DenyFail("auth-url", $"{Printable.Quote(urlText)} points at a loopback, link-local or unspecified address, which Portico does not call on a user's behalf (the proxy's own admin and status endpoints, cloud metadata); this Ingress denies every request");
            }

            Uri? signin = null;
            if (_values.TryGetValue("auth-signin", out string? signinText))
            {
                string trimmed = WithoutRedirectParameter(signinText);
                if (!HttpUrlValue.TryParse(trimmed, allowQuery: true, out signin!))
                {
                    ok = DenyFail("auth-signin", $"{Printable.Quote(signinText)} {HttpUrlValue.Rule} (a trailing rd=$escaped_request_uri or rd=$request_uri is accepted: Portico adds the original URL itself); this Ingress denies every request");
                }
            }

            var responseHeaders = new List<string>();
            bool listOk = true;
            foreach (string item in List("auth-response-headers", string.Empty, ref listOk))
            {
                if (HeaderNameValue.TryParse(item, out string header))
                {
                    responseHeaders.Add(header);
                }
                else
                {
                    listOk = DenyFail("auth-response-headers", $"{Printable.Quote(item)} {HeaderNameValue.Rule}; this Ingress denies every request");
                }
            }

            if (!listOk && !_deny.Any(d => d.StartsWith(Key("auth-response-headers"), StringComparison.Ordinal)))
            {
                DenyFail("auth-response-headers", "is refused; this Ingress denies every request");
            }

            if (ok && listOk)
            {
                _spec = _spec with
                {
                    ExternalAuth = new ExternalAuthRule(url, null, "/", [], [.. responseHeaders.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)], signin),
                };
            }
        }

        private void Backend()
        {
            if (!_values.TryGetValue("backend-protocol", out string? text))
            {
                return;
            }

            BackendProtocol? protocol = text.ToUpperInvariant() switch
            {
                "HTTP" => BackendProtocol.Http,
                "HTTPS" => BackendProtocol.Https,
                "GRPC" => BackendProtocol.Grpc,
                "GRPCS" => BackendProtocol.Grpcs,
                _ => null,
            };
            if (protocol is null || !AsciiLetters().IsMatch(text))
            {
                Fail("backend-protocol", $"{Printable.Quote(text)} must be HTTP, HTTPS, GRPC or GRPCS (AJP and FCGI are not supported); ignored");
                return;
            }

            _routing = _routing with { BackendProtocol = protocol };
        }

        private void HashBy()
        {
            if (!_values.TryGetValue("upstream-hash-by", out string? text))
            {
                return;
            }

            var match = HashVariable().Match(text);
            string variable = match.Success ? (match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value) : string.Empty;
            HashSource? source = null;
            if (variable is "remote_addr" or "binary_remote_addr")
            {
                source = new HashSource(null, null);
            }
            else if (variable.StartsWith("http_", StringComparison.Ordinal) && HeaderNameValue.TryParse(variable[5..].Replace('_', '-'), out string header))
            {
                source = new HashSource(header, null);
            }
            else if (variable.StartsWith("cookie_", StringComparison.Ordinal) && CookieName().IsMatch(variable[7..]))
            {
                source = new HashSource(null, variable[7..]);
            }

            if (source is null)
            {
                Fail("upstream-hash-by", $"{Printable.Quote(text)} must be one nginx variable: $remote_addr, $binary_remote_addr, $http_<header> or $cookie_<name> (other keys and combinations are not supported); ignored");
                return;
            }

            _spec = _spec with { LoadBalancing = new LoadBalancingRule(LoadBalancingAlgorithm.RequestHash, source) };
        }

        private void Affinity()
        {
            string[] family = ["session-cookie-name", "session-cookie-max-age", "session-cookie-expires"];
            if (!_values.TryGetValue("affinity", out string? type))
            {
                foreach (string annotation in family.Where(Given))
                {
                    Warning(Key(annotation), "has no effect without nginx.ingress.kubernetes.io/affinity: cookie and is ignored");
                }

                return;
            }

            if (type != "cookie")
            {
                Fail("affinity", $"{Printable.Quote(type)} must be \"cookie\"; ignored");
                return;
            }

            bool ok = true;
            string name = _values.GetValueOrDefault("session-cookie-name") ?? DefaultCookieName;
            if (!CookieName().IsMatch(name))
            {
                ok = Fail("session-cookie-name", $"{Printable.Quote(name)} must be a cookie name of 1 to 128 letters, digits and -_.");
            }

            int? maxAge = Integer("session-cookie-max-age", 1, int.MaxValue);
            int? expires = Integer("session-cookie-expires", 1, int.MaxValue);
            ok &= (maxAge is not null || !Given("session-cookie-max-age")) && (expires is not null || !Given("session-cookie-expires"));
            if (!ok)
            {
                Error(Key("affinity"), "session affinity is not set because a session-cookie-* annotation was refused (see its diagnostic)");
                return;
            }

            int? ttl = maxAge ?? expires;
            _spec = _spec with { SessionAffinity = new AffinityRule(name, ttl is null ? null : TimeSpan.FromSeconds(ttl.Value)) };
        }

        private void Redirects()
        {
            var temporal = Target("temporal-redirect", "temporal-redirect-code", 302);
            var permanent = Target("permanent-redirect", "permanent-redirect-code", 301);
            if (temporal is not null && permanent is not null)
            {
                Warning(Key("permanent-redirect"), "is ignored: temporal-redirect is also set and takes precedence, as in ingress-nginx");
            }

            if ((temporal ?? permanent) is { } redirect)
            {
                _routing = _routing with { Redirect = redirect };
            }

            if (_values.TryGetValue("app-root", out string? root))
            {
                if (PathText().IsMatch(root))
                {
                    _routing = _routing with { AppRoot = root };
                }
                else
                {
                    Fail("app-root", $"{Printable.Quote(root)} {PathRule}; ignored");
                }
            }

            if (Bool("from-to-www-redirect") == true)
            {
                _routing = _routing with { FromToWwwRedirect = true };
            }
        }

        private RedirectTarget? Target(string urlName, string codeName, int defaultCode)
        {
            int? code = Integer(codeName, 300, 308);
            if (code is not null and not (301 or 302 or 303 or 307 or 308))
            {
                Fail(codeName, $"{code} must be 301, 302, 303, 307 or 308");
                code = null;
            }

            if (!_values.TryGetValue(urlName, out string? text))
            {
                if (Given(codeName))
                {
                    Warning(Key(codeName), $"has no effect without nginx.ingress.kubernetes.io/{urlName} and is ignored");
                }

                return null;
            }

            if (!HttpUrlValue.TryParse(text, allowQuery: true, out Uri url))
            {
                Fail(urlName, $"{Printable.Quote(text)} {HttpUrlValue.Rule} (no nginx variables); ignored");
                return null;
            }

            if (Given(codeName) && code is null)
            {
                Error(Key(urlName), $"is not used because {codeName} was refused");
                return null;
            }

            return new RedirectTarget(url, code ?? defaultCode);
        }

        private void Canary()
        {
            string[] family = ["canary-weight", "canary-weight-total", "canary-by-header", "canary-by-header-value", "canary-by-cookie"];
            if (Bool("canary") != true)
            {
                foreach (string name in family.Where(Given))
                {
                    Warning(Key(name), "has no effect without nginx.ingress.kubernetes.io/canary: \"true\" and is ignored");
                }

                return;
            }

            bool ok = true;
            int? total = Integer("canary-weight-total", 1, 1_000_000);
            ok &= total is not null || !Given("canary-weight-total");
            int? weight = Integer("canary-weight", 0, total ?? 100);
            ok &= weight is not null || !Given("canary-weight");

            string? header = null;
            if (_values.TryGetValue("canary-by-header", out string? headerText))
            {
                // nginx drops request headers whose names hold "_" or "." (ignore_invalid_headers), so such a canary
                // header would never reach nginx while Envoy saw it: only letters, digits and "-" are accepted here.
                if (HeaderNameValue.TryParse(headerText, out string name) && name.AsSpan().IndexOfAny("_.") < 0)
                {
                    header = name;
                }
                else
                {
                    ok = Fail("canary-by-header", $"{Printable.Quote(headerText)} must be an HTTP header name of letters, digits and \"-\" (at most {HeaderNameValue.MaxLength} characters; nginx drops headers with \"_\" or \".\")");
                }
            }

            string? headerValue = null;
            if (_values.TryGetValue("canary-by-header-value", out string? valueText))
            {
                if (!Given("canary-by-header"))
                {
                    Warning(Key("canary-by-header-value"), "has no effect without nginx.ingress.kubernetes.io/canary-by-header and is ignored");
                }
                else if (valueText.Length > 0 && HeaderValueText.IsValid(valueText) && !valueText.Contains('$', StringComparison.Ordinal))
                {
                    headerValue = valueText;
                }
                else
                {
                    ok = Fail("canary-by-header-value", $"{Printable.Quote(valueText)} {HeaderValueText.Rule}, not empty and without \"$\"");
                }
            }

            string? cookie = null;
            if (_values.TryGetValue("canary-by-cookie", out string? cookieText))
            {
                if (CookieName().IsMatch(cookieText))
                {
                    cookie = cookieText;
                }
                else
                {
                    ok = Fail("canary-by-cookie", $"{Printable.Quote(cookieText)} must be a cookie name of 1 to 128 letters, digits and -_.");
                }
            }

            if (!ok)
            {
                Error(Key("canary"), "this canary Ingress receives no traffic because a canary-* annotation was refused (see its diagnostic)");
                _routing = _routing with { Canary = new CanaryRule(0, 100, null, null, null) };
                return;
            }

            _routing = _routing with { Canary = new CanaryRule(weight ?? 0, total ?? 100, header, headerValue, cookie) };
        }

        private void NextUpstream()
        {
            EquatableArray<NextUpstreamCondition>? on = null;
            if (_values.TryGetValue("proxy-next-upstream", out string? text))
            {
                var conditions = new List<NextUpstreamCondition>();
                string[] tokens = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                bool ok = tokens.Length is > 0 and <= 16;
                foreach (string token in tokens)
                {
                    NextUpstreamCondition? condition = token switch
                    {
                        "error" => NextUpstreamCondition.Error,
                        "timeout" => NextUpstreamCondition.Timeout,
                        "invalid_header" => NextUpstreamCondition.InvalidHeader,
                        "http_500" => NextUpstreamCondition.Http500,
                        "http_502" => NextUpstreamCondition.Http502,
                        "http_503" => NextUpstreamCondition.Http503,
                        "http_504" => NextUpstreamCondition.Http504,
                        "http_403" => NextUpstreamCondition.Http403,
                        "http_404" => NextUpstreamCondition.Http404,
                        "http_429" => NextUpstreamCondition.Http429,
                        "non_idempotent" => NextUpstreamCondition.NonIdempotent,
                        _ => null,
                    };
                    if (condition is { } known)
                    {
                        conditions.Add(known);
                    }
                    else if (token != "off" || tokens.Length != 1)
                    {
                        ok = false;
                    }
                }

                if (ok)
                {
                    on = [.. conditions.Distinct().Order()];
                }
                else
                {
                    Fail("proxy-next-upstream", $"{Printable.Quote(text)} must be \"off\" or space-separated conditions among error, timeout, invalid_header, http_500, http_502, http_503, http_504, http_403, http_404, http_429, non_idempotent; ignored");
                }
            }

            int? tries = Integer("proxy-next-upstream-tries", 1, 20);
            int? timeout = Integer("proxy-next-upstream-timeout", 0, MaxTimeoutSeconds);
            if (on is not null || tries is not null || timeout is not null)
            {
                _routing = _routing with { NextUpstream = new NextUpstreamRule(on, tries, timeout is null or 0 ? null : TimeSpan.FromSeconds(timeout.Value)) };
            }
        }

        private void Buffering()
        {
            if (OnOff("proxy-buffering") is { } buffering)
            {
                _routing = _routing with { ProxyBuffering = buffering };
            }

            if (OnOff("proxy-request-buffering") is { } requestBuffering)
            {
                _routing = _routing with { ProxyRequestBuffering = requestBuffering };
            }

            if (Size("proxy-buffer-size", 1, MaxBufferBytes) is { } size)
            {
                _routing = _routing with { ProxyBufferSizeBytes = size };
            }
        }

        private void Rewrite()
        {
            bool useRegex = Bool("use-regex") == true;
            RewriteTarget? rewrite = null;
            if (_values.TryGetValue("rewrite-target", out string? text))
            {
                if (TryParseRewrite(text, out var parsed))
                {
                    rewrite = parsed;
                }
                else
                {
                    Fail("rewrite-target", $"{Printable.Quote(text)} must be a path starting with \"/\" of letters, digits, percent-escapes, -._~!&'()*+,=:@/ and the captures $1 to $9 (no spaces, quotes, \";\", braces, \"#\", \"?\" or other \"$\"); ignored");
                }
            }

            if (rewrite is not null || useRegex)
            {
                _routing = _routing with { Rewrite = rewrite, UseRegex = useRegex || rewrite!.HighestGroup > 0 };
            }
        }

        private static bool TryParseRewrite(string text, out RewriteTarget rewrite)
        {
            rewrite = null!;
            if (text.Length is 0 or > 1024 || text[0] != '/')
            {
                return false;
            }

            var segments = new List<RewriteSegment>();
            int start = 0;
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] != '$')
                {
                    continue;
                }

                if (i + 1 >= text.Length || text[i + 1] is < '1' or > '9')
                {
                    return false;
                }

                if (i > start)
                {
                    segments.Add(RewriteSegment.Text(text[start..i]));
                }

                segments.Add(RewriteSegment.Capture(text[i + 1] - '0'));
                start = i + 2;
                i++;
            }

            if (start < text.Length)
            {
                segments.Add(RewriteSegment.Text(text[start..]));
            }

            if (segments.Where(s => s.Group == 0).Any(s => !RewriteLiteral().IsMatch(s.Literal)))
            {
                return false;
            }

            rewrite = new RewriteTarget([.. segments]);
            return true;
        }

        // Typed readers: each returns null when the annotation is absent or refused (and then reports it).

        private bool? Bool(string name)
        {
            if (!_values.TryGetValue(name, out string? text))
            {
                return null;
            }

            switch (text)
            {
                case "true" or "True" or "TRUE" or "t" or "T" or "1":
                    return true;
                case "false" or "False" or "FALSE" or "f" or "F" or "0":
                    return false;
                default:
                    Fail(name, $"{Printable.Quote(text)} must be \"true\" or \"false\"; ignored");
                    return null;
            }
        }

        private bool? OnOff(string name)
        {
            if (!_values.TryGetValue(name, out string? text))
            {
                return null;
            }

            switch (text)
            {
                case "on":
                    return true;
                case "off":
                    return false;
                default:
                    Fail(name, $"{Printable.Quote(text)} must be \"on\" or \"off\"; ignored");
                    return null;
            }
        }

        private int? Integer(string name, int min, int max)
        {
            if (!_values.TryGetValue(name, out string? text))
            {
                return null;
            }

            if (IntegerText().IsMatch(text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value >= min && value <= max)
            {
                return (int)value;
            }

            Fail(name, $"{Printable.Quote(text)} must be a whole number from {min} to {max} (decimal digits, no sign or leading zeros); ignored");
            return null;
        }

        private TimeSpan? Seconds(string name) => Integer(name, 1, MaxTimeoutSeconds) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

        private long? Size(string name, long min, long max)
        {
            if (!_values.TryGetValue(name, out string? text))
            {
                return null;
            }

            if (ByteSizeValue.TryParse(text, out long bytes) && bytes >= min && bytes <= max)
            {
                return bytes;
            }

            Fail(name, $"{Printable.Quote(text)} must be a size in nginx's form (512, 64k, 8m, 1g; k, m and g are powers of 1024) from {min} to {max} bytes; ignored");
            return null;
        }

        /// <summary>A comma-separated list (the annotation's value, or the default when it is absent), items trimmed of spaces.</summary>
        private List<string> List(string name, string fallback, ref bool ok)
        {
            string text = _values.GetValueOrDefault(name) ?? fallback;
            if (text.Trim(' ').Length == 0)
            {
                return [];
            }

            var items = text.Split(',').Select(i => i.Trim(' ')).ToList();
            if (items.Count > MaxListItems)
            {
                ok = Fail(name, $"has more than {MaxListItems} items");
                return [];
            }

            if (items.Any(i => i.Length == 0))
            {
                ok = Fail(name, $"{Printable.Quote(text)} has an empty item");
                return [];
            }

            return items;
        }

        private EquatableArray<string> HeaderNames(string name, string fallback, bool allowStar, ref bool ok)
        {
            var names = new List<string>();
            foreach (string item in List(name, fallback, ref ok))
            {
                if (allowStar && item == "*")
                {
                    names.Add(item);
                }
                else if (HeaderNameValue.TryParse(item, out string header))
                {
                    names.Add(header);
                }
                else
                {
                    ok = Fail(name, $"{Printable.Quote(item)} {HeaderNameValue.Rule}");
                }
            }

            return [.. names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        }

        /// <summary>An IP list; anything refused in it denies (an allow or deny list that cannot be honoured must not open the Ingress).</summary>
        private List<IPNetwork>? Networks(string name)
        {
            if (!_values.TryGetValue(name, out string? text))
            {
                return null;
            }

            bool ok = true;
            var items = text.Trim(' ').Length == 0 ? null : List(name, string.Empty, ref ok);
            if (items is null)
            {
                DenyFail(name, "is empty; this Ingress denies every request rather than guess what the list meant");
                return null;
            }

            var networks = new List<IPNetwork>();
            foreach (string item in items)
            {
                if (IpNetworkValue.TryParse(item, out var network, out string error))
                {
                    networks.Add(network);
                }
                else
                {
                    ok = Fail(name, $"{Printable.Quote(item)} {error}");
                }
            }

            if (!ok)
            {
                DenyFail(name, "has a refused entry; this Ingress denies every request rather than serve it with a partial list");
                return null;
            }

            return networks;
        }

        private static EquatableArray<IPNetwork> Canonical(List<IPNetwork> networks) =>
            [.. networks.Distinct().OrderBy(n => n.BaseAddress.AddressFamily).ThenBy(n => n.ToString(), StringComparer.Ordinal)];

        private static string Key(string name) => Prefix + name;

        private bool Fail(string name, string message)
        {
            Error(Key(name), message);
            return false;
        }

        private bool DenyFail(string name, string message)
        {
            Deny(Key(name), message);
            return false;
        }

        private void Deny(string field, string message)
        {
            Error(field, message);
            _deny.Add($"{field}: {message}");
        }

        private void Error(string field, string message) => _diagnostics.Add(new Diagnostic(Severity.Error, ingress, field, message));

        private void Warning(string field, string message) => _diagnostics.Add(new Diagnostic(Severity.Warning, ingress, field, message));
    }

    /// <summary>An auth subrequest must not reach the proxy pod's own loopback services or link-local addresses (cloud metadata).</summary>
    internal static bool IsSafeAuthTarget(Uri url)
    {
        string host = url.Host.Trim('[', ']');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (!IPAddress.TryParse(host, out var address))
        {
            return true;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return !IPAddress.IsLoopback(address)
            && !address.IsIPv6LinkLocal
            && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any)
            && !IPNetwork.Parse("169.254.0.0/16").Contains(address)
            && !IPNetwork.Parse("127.0.0.0/8").Contains(address);
    }

    /// <summary>
    /// Removes a trailing redirect parameter that only names the original request (rd=$escaped_request_uri and its
    /// spellings): Portico adds the original URL to the sign-in redirect itself, as ingress-nginx does when rd is absent.
    /// </summary>
    private static string WithoutRedirectParameter(string signin)
    {
        string[] forms = ["rd=$escaped_request_uri", "rd=$request_uri", "rd=$scheme://$host$request_uri", "rd=$scheme://$http_host$request_uri", "rd=$scheme://$host$escaped_request_uri", "rd=$scheme%3A%2F%2F$host$escaped_request_uri", "rd=$pass_access_scheme://$http_host$escaped_request_uri"];
        foreach (string form in forms)
        {
            if (signin.EndsWith("?" + form, StringComparison.Ordinal) || signin.EndsWith("&" + form, StringComparison.Ordinal))
            {
                return signin[..^(form.Length + 1)];
            }
        }

        return signin;
    }

    private const string PathRule = "must be a path starting with \"/\" of letters, digits, percent-escapes and -._~!&'()*+,=:@/ (no spaces, quotes, \";\", \"$\", \"{\", \"}\", \"#\" or \"?\")";

    [GeneratedRegex(@"^/([A-Za-z0-9\-._~!&'()*+,=:@/]|%[0-9A-Fa-f]{2}){0,1023}\z", RegexOptions.CultureInvariant)]
    private static partial Regex PathText();

    [GeneratedRegex(@"^([A-Za-z0-9\-._~!&'()*+,=:@/]|%[0-9A-Fa-f]{2})+\z", RegexOptions.CultureInvariant)]
    private static partial Regex RewriteLiteral();

    [GeneratedRegex(@"^[A-Za-z0-9 .,:_-]{1,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex RealmText();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex CookieName();

    [GeneratedRegex(@"^[A-Za-z]{1,16}\z", RegexOptions.CultureInvariant)]
    private static partial Regex MethodText();

    [GeneratedRegex(@"^[A-Za-z]{1,16}\z", RegexOptions.CultureInvariant)]
    private static partial Regex AsciiLetters();

    [GeneratedRegex(@"^(0|[1-9][0-9]{0,9})\z", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerText();

    [GeneratedRegex(@"\b(allow|deny|auth_basic|auth_request|auth_jwt|satisfy|return\s+40[13])\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex SnippetAccessControl();

    [GeneratedRegex(@"^(?:\$([a-z0-9_]{1,128})|\$\{([a-z0-9_]{1,128})\})\z", RegexOptions.CultureInvariant)]
    private static partial Regex HashVariable();
}
