namespace Portico.Core.Model;

/// <summary>
/// One path of one virtual host: its match, what the proxy does, and the object and field it came from
/// (<see cref="Source"/> is null only for the implied 404 catch-all, which no object declares).
/// </summary>
public sealed record Route(PathMatch Match, RouteAction Action, ObjectRef? Source, string Field)
{
    /// <summary>True when <paramref name="path"/> (a request path, query removed) matches this route: Exact equal; Prefix element-wise.</summary>
    public bool Matches(string path) => Match.Matches(path);

    public override string ToString() => $"{Match} -> {Action}";
}
