namespace Portico.Core.Explaining;

/// <summary>One changed route: host ("" for rules without host), path and type, and both sides (null where it does not exist).</summary>
public sealed record PlannedRoute(RouteChange Change, string Host, string Path, string PathType, RouteState? Before, RouteState? After);
