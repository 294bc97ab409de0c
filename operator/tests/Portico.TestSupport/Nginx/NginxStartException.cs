namespace Portico.TestSupport.Nginx;

/// <summary>nginx did not start, or did not serve the expected config hash in time. The message carries nginx's stderr.</summary>
public sealed class NginxStartException : Exception
{
    public NginxStartException(string message, string stderr)
        : base(message + "\n--- nginx stderr ---\n" + (stderr.Length == 0 ? "(empty)" : stderr))
    {
        Stderr = stderr;
    }

    public string Stderr { get; }

    /// <summary>A listen port was taken between choosing it and nginx binding it: start again with fresh ports.</summary>
    public bool AddressInUse => Stderr.Contains("Address already in use", StringComparison.Ordinal);
}
