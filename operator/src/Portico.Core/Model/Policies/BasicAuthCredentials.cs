namespace Portico.Core.Model.Policies;

/// <summary>
/// Resolved basic-auth credentials: the realm and the users with their password hashes, as read and checked from the
/// referenced Secret. <see cref="Id"/> is a hash of the content (file names come from it, never from object
/// metadata).
/// </summary>
public sealed record BasicAuthCredentials(string Realm, EquatableArray<BasicAuthUser> Users)
{
    /// <summary>The htpasswd text: one "user:hash" line per user, sorted by user.</summary>
    public string Htpasswd => string.Concat(Users.Select(u => $"{u.User}:{u.Hash}\n"));

    public string Id => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Htpasswd)))[..20];

    /// <summary>Never print hashes in diagnostics or plans.</summary>
    public override string ToString() => $"BasicAuthCredentials {{ Realm = {Realm}, Id = {Id} }}";
}

/// <summary>One user of an htpasswd file: name and hash, both checked (no ':' or whitespace in the name, a known hash scheme).</summary>
public sealed record BasicAuthUser(string User, string Hash)
{
    public override string ToString() => User;
}
