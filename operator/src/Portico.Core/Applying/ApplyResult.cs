namespace Portico.Core.Applying;

/// <summary>The outcome of applying one configuration, with a message for logs and status.</summary>
public sealed record ApplyResult(ApplyOutcome Outcome, string Message)
{
    public bool Succeeded => Outcome == ApplyOutcome.Applied;

    public static ApplyResult Applied(string message) => new(ApplyOutcome.Applied, message);
}
