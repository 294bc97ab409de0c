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
    /// <summary>A location whose policy has nothing live (yet): the header filter is there, the live file has no line for it.</summary>
    public static NginxLivePolicy Nothing { get; } = new([], [], null, null, null);

    private static readonly HashSet<string> SpecialHeaders = new(StringComparer.Ordinal)
    {
        "content-type", "content-length", "content-encoding", "content-range", "location", "refresh", "server", "date",
        "last-modified", "etag", "expires", "cache-control", "link", "accept-ranges", "connection", "keep-alive",
        "transfer-encoding", "upgrade", "te", "trailer", "www-authenticate", "set-cookie", "vary", "status",
    };

    public bool IsNothing => HiddenResponseHeaders.IsEmpty && AddedResponseHeaders.IsEmpty && ConnectMs is null && SendMs is null && ReadMs is null;

    /// <summary>
    /// <paramref name="policy"/> split into what nginx.conf enforces and what the Lua applies; null when nothing of
    /// the policy can go live (the policy then stays whole).
    /// </summary>
    public static (RoutePolicy Static, NginxLivePolicy Live)? Split(RoutePolicy policy) =>
        // Every location of a policy's routes asks: split each instance once (by reference, as RoutePolicy.Key).
        Splits.GetValue(policy, static p => new SplitResult(Compute(p))).Value;

    /// <summary>What of <paramref name="policy"/> nginx.conf enforces with Lua endpoints: all of it when nothing can go live.</summary>
    public static RoutePolicy Enforced(RoutePolicy policy) => Split(policy)?.Static ?? policy;

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

        foreach (string name in HiddenResponseHeaders)
        {
            line.Append(separator).Append("h:").Append(Name(name));
        }

        foreach (var header in AddedResponseHeaders)
        {
            line.Append(separator).Append("a:").Append(Name(header.Name)).Append(':');
            foreach (byte b in Encoding.UTF8.GetBytes(header.Value))
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

        return line.ToString(1, line.Length - 1);
    }

    private sealed record SplitResult((RoutePolicy Static, NginxLivePolicy Live)? Value);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<RoutePolicy, SplitResult> Splits = [];

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
