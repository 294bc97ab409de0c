namespace Portico.Core.Model;

/// <summary>Where a matched request goes: an upstream by name, or a fixed status (503 when the backend cannot be served).</summary>
public sealed record RouteTarget
{
    private RouteTarget(string? upstream, int? status)
    {
        Upstream = upstream;
        Status = status;
    }

    /// <summary>The upstream's name, when the request is proxied.</summary>
    public string? Upstream { get; }

    /// <summary>The fixed HTTP status answered instead of proxying.</summary>
    public int? Status { get; }

    public static RouteTarget ToUpstream(string name) => new(name, null);

    public static RouteTarget ToStatus(int status) => new(null, status);

    public static RouteTarget ServiceUnavailable { get; } = ToStatus(503);

    public override string ToString() => Upstream ?? $"status {Status}";
}
