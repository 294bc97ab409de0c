namespace Portico.Core.Manifests;

/// <summary>Input that cannot be used at all (unreadable file, YAML that does not parse). Names the file and line.</summary>
public sealed class ManifestException : Exception
{
    public ManifestException(string file, long line, string reason)
        : base($"{file}:{line}: {reason}")
    {
        File = file;
        Line = line;
        Reason = reason;
    }

    public ManifestException()
    {
        File = string.Empty;
        Reason = string.Empty;
    }

    public ManifestException(string message)
        : base(message)
    {
        File = string.Empty;
        Reason = message;
    }

    public ManifestException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = string.Empty;
        Reason = message;
    }

    public string File { get; }

    public long Line { get; }

    public string Reason { get; }
}
