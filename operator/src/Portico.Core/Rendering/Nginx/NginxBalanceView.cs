using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Portico.Core.Model;
using Portico.Core.Model.Policies;

namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// The balance family of a location (retries): <c>proxy_next_upstream</c> conditions (tokens; "off" for no retry),
/// <c>proxy_next_upstream_tries</c> (the first attempt included) and <c>proxy_next_upstream_timeout</c>.
/// </summary>
public sealed record NginxBalanceView(IReadOnlyList<string> NextUpstream, int? NextUpstreamTries, string? NextUpstreamTimeout)
{
    /// <summary>
    /// What a route's retries become; null without a retry rule (nginx's default "error timeout" then stays). Attempts
    /// 0 is "off". connect-failure is "error timeout" (nginx cannot tell a refused connection from a reset, so it also
    /// retries resets), reset is "error", 5xx is http_500/502/503/504, gateway-error http_502/503/504. perTryTimeout
    /// has no per-try counterpart in nginx (the proxy timeouts already apply to each try): the time all tries together
    /// may take is bounded by perTryTimeout × tries. An empty condition list retries connect failures.
    /// </summary>
    public static NginxBalanceView? For(RoutePolicy policy)
    {
        if (policy.Retries is not { } retries)
        {
            return null;
        }

        if (retries.Attempts == 0)
        {
            return new NginxBalanceView(["off"], null, null);
        }

        // No condition listed: connect failures, nginx's own default ("error timeout").
        var conditions = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var condition in retries.On.IsEmpty ? [RetryCondition.ConnectFailure] : retries.On)
        {
            string[] tokens = condition switch
            {
                RetryCondition.ConnectFailure => ["error", "timeout"],
                RetryCondition.Reset => ["error"],
                RetryCondition.ServerError => ["http_500", "http_502", "http_503", "http_504"],
                RetryCondition.GatewayError => ["http_502", "http_503", "http_504"],
                _ => throw new TemplateException($"nginx cannot render the retry condition {condition}"),
            };
            conditions.UnionWith(tokens);
        }

        int tries = retries.Attempts + 1;
        string? timeout = retries.PerTryTimeout is { } perTry ? NginxTime(perTry * tries) : null;
        return new NginxBalanceView([.. conditions], tries, timeout);
    }

    private static string NginxTime(TimeSpan value)
    {
        long ms = (long)value.TotalMilliseconds;
        return ms % 1000 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{ms / 1000}s") : string.Create(CultureInfo.InvariantCulture, $"{ms}ms");
    }
}

/// <summary>
/// A split without Lua: an http-level <c>split_clients "${request_id}" $WEIGHTED { PERCENT UPSTREAM; ... }</c> (random
/// per request, as request ids are; with session affinity the affinity key draws instead, see <see cref="Key"/>) and <c>proxy_pass http://$VARIABLE</c> in the location. A split with selectors (a
/// canary's header and cookie rules) puts one <c>map</c> per selector in front, chained in order: each maps its source
/// (the header's variable, or the Cookie header) to the selector's upstream when its anchored regex matches, and
/// otherwise to the next map's variable, the last to $WEIGHTED; <see cref="Variable"/> is the first map's. An upstream
/// without ready endpoints maps to "" and the location answers 503 for it (<see cref="HasUnavailable"/>).
/// </summary>
public sealed record NginxSplitView(string Variable, IReadOnlyList<NginxSplitShare> Shares)
{
    /// <summary>The split_clients variable: the weighted draw (equal to <see cref="Variable"/> without selectors).</summary>
    public string WeightedVariable { get; init; } = Variable;

    /// <summary>The selectors' maps, in the order they decide (each one's default is the next one's variable).</summary>
    public IReadOnlyList<NginxSelectorMap> Selectors { get; init; } = [];

    public bool HasUnavailable => Shares.Any(s => s.Upstream.Length == 0) || Selectors.Any(s => s.Upstream.Length == 0);

    /// <summary>
    /// Percentages with two decimals (what split_clients reads) from the weights by largest remainder, so they sum
    /// to exactly 100; the last share is "*" (the rest). A share that rounds to 0.00% is left out (below 1/20000 of
    /// the traffic). Variables are named by a hash of the shares and selectors: routes with equal splits share blocks.
    /// </summary>
    public static NginxSplitView For(SplitAction split, IReadOnlyDictionary<string, Upstream> upstreams)
    {
        string Available(string name) => upstreams.TryGetValue(name, out var u) && u.Endpoints.Length > 0 ? name : string.Empty;

        long total = split.Backends.Sum(b => (long)b.Weight);
        var exact = split.Backends.Select(b => b.Weight * 10000L).ToList();
        var basisPoints = exact.Select(e => e / total).ToList();
        long left = 10000 - basisPoints.Sum();
        foreach (int i in Enumerable.Range(0, exact.Count).OrderByDescending(i => exact[i] % total).ThenBy(i => i).Take((int)left))
        {
            basisPoints[i]++;
        }

        var kept = split.Backends.Select((b, i) => (Upstream: Available(b.UpstreamName), Points: basisPoints[i]))
            .Where(s => s.Points > 0)
            .ToList();
        var shares = kept.Select((s, i) => new NginxSplitShare(
                i == kept.Count - 1 ? "*" : string.Create(CultureInfo.InvariantCulture, $"{s.Points / 100}.{s.Points % 100:D2}%"),
                s.Upstream))
            .ToList();
        var selectors = split.Selectors.Select(s => s.Source == SelectorSource.Header
                ? new NginxSelectorMap(string.Empty, HeaderVariable(s.Name), "^" + SelectorPatterns.Literal(s.Value) + "$", Available(s.UpstreamName), string.Empty)
                : new NginxSelectorMap(string.Empty, "http_cookie", SelectorPatterns.Cookie(s.Name, s.Value), Available(s.UpstreamName), string.Empty))
            .ToList();
        return Named(shares, selectors, "request_id");
    }

    /// <summary>The variable (without '$') a request's share is drawn by: the random request id, or an endpoint choice's key (session affinity: a client keeps its share).</summary>
    public string Key { get; init; } = "request_id";

    /// <summary>
    /// The same shares and selectors going to other upstream blocks (<paramref name="rename"/>: a balancing variant),
    /// drawn by <paramref name="key"/> (null: the request id), renamed accordingly.
    /// </summary>
    public NginxSplitView WithUpstreams(Func<string, string> rename, string? key) =>
        Named(
            [.. Shares.Select(s => s with { Upstream = rename(s.Upstream) })],
            [.. Selectors.Select(s => s with { Upstream = rename(s.Upstream) })],
            key ?? "request_id");

    private static NginxSplitView Named(List<NginxSplitShare> shares, List<NginxSelectorMap> selectors, string key)
    {
        // The draw key is part of the name only when it is not the request id, so plain splits keep their names.
        string identity = string.Join("\n", shares.Select(s => $"{s.Percent} {s.Upstream}"));
        string weighted = "portico_split_" + Hash(key == "request_id" ? identity : key + "\n" + identity);
        if (selectors.Count == 0)
        {
            return new NginxSplitView(weighted, shares) { Key = key };
        }

        // The maps' names hash everything they decide, so equal canaries share them and different ones never collide.
        string selectorsKey = Hash(weighted + "\n" + string.Join("\n", selectors.Select(s => $"{s.Source} {s.Pattern} {s.Upstream}")));
        var maps = selectors.Select((s, i) => s with
        {
            Variable = SelectorVariable(selectorsKey, i),
            Next = i + 1 < selectors.Count ? SelectorVariable(selectorsKey, i + 1) : weighted,
        }).ToList();
        return new NginxSplitView(maps[0].Variable, shares) { WeightedVariable = weighted, Selectors = maps, Key = key };
    }

    /// <summary>
    /// The live file's form with Lua endpoints: "w:UPSTREAM=WEIGHT,..." (the Lua draws per request), preceded by each
    /// selector as "h:HEXNAME:HEXVALUE:UPSTREAM|" or "c:...|" (header or cookie; name and value hex-encoded, so any
    /// value stays one token), which the Lua checks in order before drawing.
    /// </summary>
    public static string LiveTarget(SplitAction split) =>
        string.Concat(split.Selectors.Select(s => $"{(s.Source == SelectorSource.Header ? 'h' : 'c')}:{Hex(s.Name)}:{Hex(s.Value)}:{s.UpstreamName}|"))
        + "w:" + string.Join(",", split.Backends.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.UpstreamName}={b.Weight}")));

    /// <summary>nginx's variable for a request header: "http_" and the name with "-" as "_" (names are lowercase letters, digits and "-").</summary>
    private static string HeaderVariable(string name) => "http_" + name.Replace('-', '_');

    private static string SelectorVariable(string key, int index) => string.Create(CultureInfo.InvariantCulture, $"portico_canary_{key}_{index}");

    private static string Hex(string text) => Convert.ToHexStringLower(Encoding.ASCII.GetBytes(text));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}

/// <summary>One line of a split_clients block: "12.50%" or "*", and the upstream ("" answers 503).</summary>
public sealed record NginxSplitShare(string Percent, string Upstream);

/// <summary>
/// <c>map $SOURCE $VARIABLE { "~PATTERN" UPSTREAM; default $NEXT; }</c>: one selector of a split (a regex entry, so a
/// value that is also a map keyword such as "default" stays a value, and matching is case-sensitive).
/// </summary>
public sealed record NginxSelectorMap(string Variable, string Source, string Pattern, string Upstream, string Next);
