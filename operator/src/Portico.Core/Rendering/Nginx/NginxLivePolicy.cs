using System.Globalization;
using System.Text;
using Portico.Core.Model;
using Portico.Core.Model.Policies;
using Portico.Core.Values;

namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// With Lua endpoints, the part of a route's policy the Lua applies per request from the live file instead of
/// nginx.conf (ADR 0016): response headers (a header filter on the location) and upstream timeouts (set by the
/// balancer). Editing them is then live data, not a reload: at 10,000 Ingresses a reload takes seconds (issue 13).
/// Everything else of the policy (access control, limits, CORS, body size, auth, ...) stays in nginx.conf.
/// <para>Response headers go live only when every name they touch is an ordinary one: nginx treats some names
/// itself (Content-Type, Location, Cache-Control, ...), and some are also added by other directives of a location
/// (Set-Cookie for affinity, Vary and Access-Control-* for CORS); a mutation touching any of those stays an nginx
/// directive, so it keeps exactly nginx's semantics.</para>
/// </summary>
public sealed record NginxLivePolicy(
    EquatableArray<string> HiddenResponseHeaders,
    EquatableArray<NginxHeaderView> AddedResponseHeaders,
    long? ConnectMs,
    long? SendMs,
    long? ReadMs)
{
    /// <summary>
    /// Client address rules of a fallback host's rule (ADR 0018): the Lua checks them in the access phase, as nginx's
    /// allow and deny would. Never on a location of a server block, whose directives enforce them.
    /// </summary>
    public IpAccessRule? IpAccess { get; init; }

    /// <summary>A fallback host's rule's CORS answer (ADR 0018), given by the Lua as the location's maps and "if" would.</summary>
    public CorsRule? Cors { get; init; }

    /// <summary>A fallback host's rule's rate limit (ADR 0018): the Lua names the client to the zone of its rate and burst.</summary>
    public NginxLiveRate? Rate { get; init; }

    /// <summary>A location whose policy has nothing live (yet): the header filter is there, the live file has no line for it.</summary>
    public static NginxLivePolicy Nothing { get; } = new([], [], null, null, null);

    private static readonly HashSet<string> SpecialHeaders = new(StringComparer.Ordinal)
    {
        "content-type", "content-length", "content-encoding", "content-range", "location", "refresh", "server", "date",
        "last-modified", "etag", "expires", "cache-control", "link", "accept-ranges", "connection", "keep-alive",
        "transfer-encoding", "upgrade", "te", "trailer", "www-authenticate", "set-cookie", "vary", "status",
    };

    public bool IsNothing => HiddenResponseHeaders.IsEmpty && AddedResponseHeaders.IsEmpty && ConnectMs is null && SendMs is null && ReadMs is null
        && IpAccess is null && Cors is null && Rate is null;

    /// <summary>
    /// <paramref name="policy"/> split into what nginx.conf enforces and what the Lua applies; null when nothing of
    /// the policy can go live (the policy then stays whole).
    /// </summary>
    public static (RoutePolicy Static, NginxLivePolicy Live)? Split(RoutePolicy policy) =>
        // Every location of a policy's routes asks: split each instance once (by reference, as RoutePolicy.Key).
        Splits.GetValue(policy, static p => new SplitResult(Compute(p))).Value;

    /// <summary>What of <paramref name="policy"/> nginx.conf enforces with Lua endpoints: all of it when nothing can go live.</summary>
    public static RoutePolicy Enforced(RoutePolicy policy) => Split(policy)?.Static ?? policy;

    /// <summary>
    /// <paramref name="policy"/> split for a rule of a host without a server block (ADR 0018): besides
    /// <see cref="Split"/>'s part, its client address rules, CORS and rate limit, which the Lua of the default server's
    /// hand-off applies in nginx's order. A host is routed that way only when nothing else remains for nginx.conf.
    /// </summary>
    public static (RoutePolicy Static, NginxLivePolicy Live)? SplitForHost(RoutePolicy policy) =>
        HostSplits.GetValue(policy, static p => new SplitResult(ComputeForHost(p))).Value;

    /// <summary>What of <paramref name="policy"/> nginx.conf would enforce for a host without a server block.</summary>
    public static RoutePolicy EnforcedForHost(RoutePolicy policy) => SplitForHost(policy)?.Static ?? policy;

    private static (RoutePolicy Static, NginxLivePolicy Live)? ComputeForHost(RoutePolicy policy)
    {
        if (policy.IsEmpty)
        {
            return null;
        }

        var (rest, live) = Split(policy) ?? (policy, Nothing);
        // Counted per client and per policy, as a location's $portico_limit_scope: the key of what the location would
        // enforce (ADR 0016), so two rules with one policy share their counters and a header edit keeps them.
        string scope = rest.Key;
        live = live with { IpAccess = rest.IpAccess, Cors = rest.Cors, Rate = rest.RateLimit is { } rate ? new NginxLiveRate(new NginxLiveRateZone(rate.RequestsPerSecond, rate.Burst), scope) : null };
        rest = rest with { IpAccess = null, Cors = null, RateLimit = null };
        return (rest, live);
    }

    private static (RoutePolicy Static, NginxLivePolicy Live)? Compute(RoutePolicy policy)
    {
        if (policy.IsEmpty)
        {
            return null;
        }

        var live = Nothing;
        var rest = policy;
        if (policy.ResponseHeaders is { } headers && headers.Set.Select(h => h.Name).Concat(headers.Add.Select(h => h.Name)).Concat(headers.Remove).All(Ordinary))
        {
            // The same as the directives: the backend's headers that are set or removed are hidden, then what is set
            // and what is added is added (NginxTraffic).
            live = live with
            {
                HiddenResponseHeaders = [.. headers.Set.Select(h => h.Name).Concat(headers.Remove).Distinct(StringComparer.Ordinal)],
                AddedResponseHeaders = [.. headers.Set.Concat(headers.Add).Select(h => new NginxHeaderView(h.Name, h.Value))],
            };
            rest = rest with { ResponseHeaders = null };
        }

        if (policy.Timeouts is { } timeouts && Positive(timeouts.Connect) && Positive(timeouts.Idle ?? timeouts.Request))
        {
            // As NginxTraffic: "request" bounds each wait for the backend (reading and sending) unless "idle" says so.
            var wait = timeouts.Idle ?? timeouts.Request;
            live = live with { ConnectMs = Ms(timeouts.Connect), SendMs = Ms(wait), ReadMs = Ms(wait) };
            rest = rest with { Timeouts = null };
        }

        return (rest, live);
    }

    /// <summary>
    /// "+KEY t:CONNECT:SEND:READ h:NAME a:NAME:VALUE ...": the live file's line for the location keyed
    /// <paramref name="key"/>; null when there is nothing to say. Names are header tokens, checked again here; values
    /// are percent-encoded outside a small safe set, so the line stays readable in `portico diff` and holds no
    /// space, colon, semicolon or control character.
    /// </summary>
    public string? Line(string key) => IsNothing ? null : "+" + NginxEscaping.Token(key) + " " + Tokens(' ');

    /// <summary>The same tokens joined by ";": a fallback host's rule carries them after its target ("E:HEXPATH:TARGET;t:...;a:...").</summary>
    public string? Inline() => IsNothing ? null : Tokens(';');

    private string Tokens(char separator)
    {
        var line = new StringBuilder();
        if (ConnectMs is not null || SendMs is not null || ReadMs is not null)
        {
            line.Append(separator).Append("t:").Append(Number(ConnectMs)).Append(':').Append(Number(SendMs)).Append(':').Append(Number(ReadMs));
        }

        if (IpAccess is { } access)
        {
            // As the location's directives: denied networks first, then allowed ones (after which the Lua denies the rest).
            foreach (var network in access.Deny)
            {
                line.Append(separator).Append("id:").Append(Network(network));
            }

            foreach (var network in access.Allow)
            {
                line.Append(separator).Append("ia:").Append(Network(network));
            }
        }

        if (Rate is { } rate)
        {
            line.Append(separator).Append("r:").Append(rate.Zone.RequestsPerSecond.ToString(CultureInfo.InvariantCulture))
                .Append(':').Append(rate.Zone.Burst.ToString(CultureInfo.InvariantCulture)).Append(':').Append(NginxEscaping.Token(rate.Scope));
        }

        if (Cors is { } cors)
        {
            // "cm" always: it marks the rule as having CORS even with no methods.
            line.Append(separator).Append("cm:");
            Percent(line, string.Join(", ", cors.AllowMethods));
            foreach (string origin in cors.AllowOrigins)
            {
                line.Append(separator).Append("co:");
                Percent(line, origin);
            }

            if (cors.AllowHeaders.Length > 0)
            {
                line.Append(separator).Append("ch:");
                Percent(line, string.Join(", ", cors.AllowHeaders));
            }

            if (cors.ExposeHeaders.Length > 0)
            {
                line.Append(separator).Append("ce:");
                Percent(line, string.Join(", ", cors.ExposeHeaders));
            }

            if (cors.MaxAge is { } age)
            {
                line.Append(separator).Append("ca:").Append(((long)age.TotalSeconds).ToString(CultureInfo.InvariantCulture));
            }

            if (cors.AllowCredentials)
            {
                line.Append(separator).Append("cc");
            }
        }

        foreach (string name in HiddenResponseHeaders)
        {
            line.Append(separator).Append("h:").Append(Name(name));
        }

        foreach (var header in AddedResponseHeaders)
        {
            line.Append(separator).Append("a:").Append(Name(header.Name)).Append(':');
            Percent(line, header.Value);
        }

        return line.ToString(1, line.Length - 1);
    }

    /// <summary>A value percent-encoded outside a small safe set: no space, colon, semicolon or control character remains.</summary>
    private static void Percent(StringBuilder line, string value)
    {
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || "._~/,=+!*()@-".Contains((char)b, StringComparison.Ordinal))
            {
                line.Append((char)b);
            }
            else
            {
                line.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>"0a000000/8": the network's address bytes in hex (4 or 16) and its prefix length, the Lua's form.</summary>
    private static string Network(System.Net.IPNetwork network) =>
        Convert.ToHexStringLower(network.BaseAddress.GetAddressBytes()) + "/" + network.PrefixLength.ToString(CultureInfo.InvariantCulture);

    private sealed record SplitResult((RoutePolicy Static, NginxLivePolicy Live)? Value);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<RoutePolicy, SplitResult> Splits = [];

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<RoutePolicy, SplitResult> HostSplits = [];

    private static bool Ordinary(string name) => !SpecialHeaders.Contains(name) && !name.StartsWith("access-control-", StringComparison.Ordinal);

    // set_timeouts takes positive seconds; a zero stays a directive.
    private static bool Positive(TimeSpan? value) => value is null || value.Value.TotalMilliseconds >= 1;

    private static long? Ms(TimeSpan? value) => value is { } v ? (long)v.TotalMilliseconds : null;

    private static string Number(long? ms) => ms is { } v ? v.ToString(CultureInfo.InvariantCulture) : "-";

    /// <summary>A header name as the model holds it (the header-name rule, lowercase), checked again before it is written.</summary>
    private static string Name(string name) => HeaderNameValue.TryParse(name, out string parsed) && parsed == name
        ? name
        : throw new TemplateException($"header name {Printable.Quote(name)} cannot be written into the endpoints file");
}

/// <summary>A fallback host's rate limit (ADR 0018): counted in its rate and burst's zone, per client and <see cref="Scope"/>.</summary>
public sealed record NginxLiveRate(NginxLiveRateZone Zone, string Scope);

/// <summary>
/// The limit_req zone nginx.conf declares for one rate and burst of fallback hosts' rules (ADR 0018), keyed by a
/// variable of the same name, which the Lua sets.
/// </summary>
public sealed record NginxLiveRateZone(int RequestsPerSecond, int Burst)
{
    public string Name => FormattableString.Invariant($"portico_live_rate_{RequestsPerSecond}_{Burst}");
}
