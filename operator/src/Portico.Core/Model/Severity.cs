namespace Portico.Core.Model;

/// <summary>How bad a diagnostic is.</summary>
public enum Severity
{
    /// <summary>The object is served, but not fully as written (a missing Service gives 503, a TLS host falls back to the default certificate).</summary>
    Warning,

    /// <summary>The object, or the named part of it, was rejected and is not served.</summary>
    Error,
}
