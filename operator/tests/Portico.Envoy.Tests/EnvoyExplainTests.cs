using Portico.Core.Explaining;
using Portico.Core.Model;

namespace Portico.Envoy.Tests;

/// <summary>
/// explain checked against Envoy's routing (issue 11): for every case, Envoy's and Portico's, and for requests made
/// from the model itself (each host, a label under each wildcard, one label too deep, an unknown host; each route's
/// path, with "/", "/x" and "x" appended, and "/"), the route Envoy picks in the rendered route tables (as
/// <see cref="EnvoyRoutingModel"/> reads them) is the verdict `portico explain` gives, over plain HTTP and HTTPS.
/// </summary>
public sealed class EnvoyExplainTests
{
    public static IEnumerable<TestCaseData> Cases() =>
        EnvoyCases.Names.Select(name => new TestCaseData(name, false).SetName($"Explain equals Envoy routing: {name}"))
            .Concat(EnvoyCases.SharedNames.Select(name => new TestCaseData(name, true).SetName($"Explain equals Envoy routing: shared {name}")));

    [TestCaseSource(nameof(Cases))]
    public void The_explained_verdict_is_the_route_Envoy_takes(string name, bool shared)
    {
        var result = shared ? EnvoyCases.RenderShared(name) : EnvoyCases.Render(name);
        var parsed = new EnvoyParsed(result.Config);
        var model = result.Model;
        var wrong = new List<string>();
        int checkedRequests = 0;
        foreach (string host in Hosts(model))
        {
            foreach (string path in Paths(model))
            {
                foreach (var (scheme, routes) in new[] { (Uri.UriSchemeHttp, parsed.HttpRoutes), (Uri.UriSchemeHttps, parsed.HttpsRoutes) })
                {
                    var verdict = RequestExplainer.Explain(model, new ExplainRequest(scheme, host, path, "GET", []));
                    // A cluster UPSTREAM/HASH is the upstream's cluster with the options a route policy asked for.
                    string envoy = System.Text.RegularExpressions.Regex.Replace(EnvoyRoutingModel.Route(routes, host, path, scheme), "/[0-9a-f]{12}(?=$| )", string.Empty);
                    string explained = Expected(verdict);

                    // Envoy checks only {SHA} basic-auth hashes: a route with others denies there (docs/policies.md, "Envoy").
                    var matched = RequestExplainer.MatchingHosts(model, host).FirstOrDefault()?.RouteFor(path);
                    if (matched?.Policy.BasicAuth is { } auth && auth.Users.Any(u => !u.Hash.StartsWith("{SHA}", StringComparison.Ordinal)) && explained.StartsWith("cluster ", StringComparison.Ordinal))
                    {
                        explained = "status 403";
                    }

                    checkedRequests++;
                    if (envoy != explained)
                    {
                        wrong.Add($"{scheme}://{host}{path}: Envoy {envoy}, explain {explained}");
                    }
                }
            }
        }

        Assert.That(wrong, Is.Empty, $"{checkedRequests} requests checked");
        Assert.That(checkedRequests, Is.GreaterThan(0));
    }

    /// <summary>The verdict in <see cref="EnvoyRoutingModel.Route"/>'s words.</summary>
    private static string Expected(Explanation verdict) => verdict.Action switch
    {
        // A split is explained as "split by weight: UPSTREAM (W), ...", in the model's order, as Envoy lists its clusters.
        ExplainedAction.Forward when verdict.Reason.StartsWith(SplitReason, StringComparison.Ordinal) =>
            "split " + System.Text.RegularExpressions.Regex.Replace(Weights(verdict.Reason), @" \((\d+)\)", " $1"),
        ExplainedAction.Forward => $"cluster {verdict.Backend!.Service.Namespace}_{verdict.Backend.Service.Name}_{verdict.Backend.Port}",
        ExplainedAction.Redirect when verdict.Reason.EndsWith("(the route's redirect)", StringComparison.Ordinal) => $"redirect {verdict.Status} {verdict.Location}",
        ExplainedAction.Redirect => $"redirect https:{new Uri(verdict.Location!).Port}",
        _ => $"status {verdict.Status}",
    };

    private const string SplitReason = "split by weight: ";

    /// <summary>The weights of a split's reason, without the canary selectors none of which held (requests here carry no headers).</summary>
    private static string Weights(string reason)
    {
        string weights = reason[SplitReason.Length..];
        int selectors = weights.IndexOf(RequestExplainer.NoSelectorHolds, StringComparison.Ordinal);
        return selectors < 0 ? weights : weights[..selectors];
    }

    private static IEnumerable<string> Hosts(ProxyModel model) =>
        model.VirtualHosts.SelectMany(v => v.Host.Kind switch
        {
            HostKind.Exact => new[] { v.Host.Value, v.Host.Value.ToUpperInvariant() },
            HostKind.Wildcard => ["a" + v.Host.WildcardSuffix, "a.b" + v.Host.WildcardSuffix],
            _ => ["unknown.invalid"],
        }).Distinct();

    private static IEnumerable<string> Paths(ProxyModel model) =>
        model.VirtualHosts.SelectMany(v => v.EffectiveRoutes).Select(r => r.Match.Path)
            .SelectMany(p => new[] { p, p.TrimEnd('/') + "/", p.TrimEnd('/') + "/x", p + "x" })
            .Append("/").Distinct(StringComparer.Ordinal);
}
