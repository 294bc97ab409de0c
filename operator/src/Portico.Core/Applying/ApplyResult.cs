namespace Portico.Core.Applying;

/// <summary>The outcome of applying one configuration, with a message for logs and status.</summary>
public sealed record ApplyResult(ApplyOutcome Outcome, string Message)
{
    public bool Succeeded => Outcome == ApplyOutcome.Applied;

    /// <summary>Only live data changed (endpoints): applied, or not, without asking the proxy to reload.</summary>
    public bool LiveOnly { get; init; }

    public static ApplyResult Applied(string message) => new(ApplyOutcome.Applied, message);
}
