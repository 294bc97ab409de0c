namespace Portico.Core.Model;

/// <summary>One path of one virtual host, with the Ingress it came from.</summary>
public sealed record Route(PathMatch Match, RouteTarget Target, ObjectRef Source);
