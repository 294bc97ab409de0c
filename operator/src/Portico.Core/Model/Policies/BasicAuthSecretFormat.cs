namespace Portico.Core.Model.Policies;

/// <summary>How a basic-auth Secret holds its users (ingress-nginx's auth-secret-type).</summary>
public enum BasicAuthSecretFormat
{
    /// <summary>An htpasswd file under the key "auth".</summary>
    AuthFile,

    /// <summary>One key per user name, its value the password hash.</summary>
    AuthMap,
}
