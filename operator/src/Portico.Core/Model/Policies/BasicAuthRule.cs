namespace Portico.Core.Model.Policies;

/// <summary>Basic authentication: the Secret (in the policy's namespace) holding the htpasswd, and the realm shown to clients.</summary>
public sealed record BasicAuthRule(string SecretName, string Realm);
