namespace Portico.TestApiServer.Resources;

/// <summary>Which of the real server's name formats a resource's metadata.name must follow.</summary>
internal enum NameRule
{
    /// <summary>DNS-1123 subdomain: most kinds.</summary>
    Subdomain,

    /// <summary>DNS-1123 label: Namespaces.</summary>
    Dns1123Label,

    /// <summary>DNS-1035 label (starts with a letter): Services.</summary>
    Dns1035Label,
}
