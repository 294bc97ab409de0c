namespace Portico.Core.Model;

/// <summary>
/// One path of one virtual host: its match, what the proxy does, and the object and field it came from
/// (<see cref="Source"/> is null only for the implied 404 catch-all, which no object declares).
/// </summary>
public sealed record Route(PathMatch Match, RouteAction Action, ObjectRef? Source, string Field)
{
    /// <summary>What the route enforces besides its action (headers, CORS, access control, limits, ...); <see cref="Policies.RoutePolicy.None"/> when nothing.</summary>
    public Policies.RoutePolicy Policy { get; init; } = Policies.RoutePolicy.None;

    /// <summary>True when <paramref name="path"/> (a request path, query removed) matches this route: Exact equal; Prefix element-wise.</summary>
    public bool Matches(string path) => Match.Matches(path);

    public override string ToString() => Policy.IsEmpty ? $"{Match} -> {Action}" : $"{Match} -> {Action} [{Policy.Key}]";
}
