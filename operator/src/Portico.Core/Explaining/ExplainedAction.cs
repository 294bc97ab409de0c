namespace Portico.Core.Explaining;

/// <summary>What the proxy does with the request: the three verdicts of the explain contract.</summary>
public enum ExplainedAction
{
    /// <summary>Proxied to a backend (Service endpoints or an ExternalName).</summary>
    Forward,

    /// <summary>The proxy answers itself with <see cref="Explanation.Status"/> (404, 503).</summary>
    Respond,

    /// <summary>The proxy answers with a redirect (<see cref="Explanation.Status"/> is its code).</summary>
    Redirect,
}
