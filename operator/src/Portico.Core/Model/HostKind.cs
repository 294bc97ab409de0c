namespace Portico.Core.Model;

/// <summary>How a virtual host matches the request's host name.</summary>
public enum HostKind
{
    /// <summary>The host equals the name (case-insensitively, port ignored).</summary>
    Exact,

    /// <summary>"*.foo.com": the host is exactly one DNS label followed by ".foo.com".</summary>
    Wildcard,

    /// <summary>A rule without host: matches any host that no other virtual host matches.</summary>
    Any,
}
