namespace Portico.Core.Model.Policies;

/// <summary>
/// When a request is passed to another endpoint (ingress-nginx's proxy-next-upstream, -tries, -timeout). <see cref="On"/>
/// null keeps the default ("error timeout"); empty means never ("off"). Null tries or timeout keep the defaults.
/// </summary>
public sealed record NextUpstreamRule(EquatableArray<NextUpstreamCondition>? On, int? Tries, TimeSpan? Timeout);
