namespace Portico.Core.Explaining;

/// <summary>How one (host, path, pathType) differs between the base and the head of a plan.</summary>
public enum RouteChange
{
    Added,
    Removed,
    Changed,
}
