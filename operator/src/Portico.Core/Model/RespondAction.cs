namespace Portico.Core.Model;

/// <summary>
/// Answer with a fixed status instead of proxying: 503 when the backend cannot be served (Service missing, no such
/// port, no ready endpoints), 404 when nothing matches and there is no default backend. <see cref="Backend"/> names the
/// upstream that would have served it, when there is one (it may gain endpoints without any route changing).
/// </summary>
public sealed record RespondAction(int Status, string Reason, string? Backend = null) : RouteAction
{
    public static RespondAction NotFound { get; } = new(404, "no rule matches and there is no default backend");

    public override string? Upstream => Backend;

    public override string ToString() => $"status {Status}";
}
