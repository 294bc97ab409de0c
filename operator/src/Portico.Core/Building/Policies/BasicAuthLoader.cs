using System.Text;
using System.Text.RegularExpressions;
using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.Core.Model;
using Portico.Core.Model.Policies;

namespace Portico.Core.Building.Policies;

/// <summary>
/// Reads the users of a basic-auth Secret into <see cref="BasicAuthCredentials"/>: the htpasswd file under the key
/// "auth" (ingress-nginx auth-file), or one key per user whose value is the hash (auth-map). Every line is checked:
/// the user has no ':', whitespace or control characters, and the hash is one of the schemes nginx's
/// auth_basic_user_file verifies and that hash the password (below); anything else refuses the whole Secret, so the
/// route denies rather than serving with a partial user list. Results are cached per Secret and format for one build.
/// </summary>
internal sealed partial class BasicAuthLoader
{
    /// <summary>The key an htpasswd file is read from (ingress-nginx auth-file).</summary>
    public const string AuthKey = "auth";

    public const int MaxUsers = 10_000;

    /// <summary>What is accepted, for messages and docs.</summary>
    public const string HashRule = "must be {SHA}, {SSHA}, $apr1$ (htpasswd's default), $1$, $5$, $6$ or bcrypt $2a$/$2b$/$2y$; {PLAIN}, DES crypt and other schemes are refused";

    private readonly ClusterSnapshot _snapshot;
    private readonly Dictionary<(NamespacedName, BasicAuthSecretFormat), (EquatableArray<BasicAuthUser>? Users, string Error)> _cache = [];

    public BasicAuthLoader(ClusterSnapshot snapshot) => _snapshot = snapshot;

    /// <summary>The credentials of <paramref name="secret"/> with <paramref name="realm"/>, or null with why they cannot be used.</summary>
    public BasicAuthCredentials? Load(NamespacedName secret, BasicAuthSecretFormat format, string realm, out string error)
    {
        if (!_cache.TryGetValue((secret, format), out var result))
        {
            result = _cache[(secret, format)] = Read(secret, format);
        }

        error = result.Error;
        return result.Users is { } users ? new BasicAuthCredentials(realm, users) : null;
    }

    private (EquatableArray<BasicAuthUser>?, string) Read(NamespacedName key, BasicAuthSecretFormat format)
    {
        string name = $"Secret {key}";
        if (!_snapshot.Secrets.TryGetValue(key, out var secret))
        {
            return (null, $"{name} does not exist (or is not readable by Portico)");
        }

        var users = new List<BasicAuthUser>();
        var data = SecretData.Of(secret);
        if (format == BasicAuthSecretFormat.AuthFile)
        {
            if (!data.TryGetValue(AuthKey, out byte[]? file) || file is null)
            {
                return (null, $"{name} has no key \"{AuthKey}\" (an htpasswd file)");
            }

            string? error = ParseHtpasswd(file, users);
            if (error is not null)
            {
                return (null, $"{name} key \"{AuthKey}\": {error}");
            }
        }
        else
        {
            foreach (var (user, value) in data.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                string? error = Check(user, Text(value), users);
                if (error is not null)
                {
                    return (null, $"{name} (auth-map) key {Printable.Quote(user)}: {error}");
                }
            }
        }

        if (users.Count == 0)
        {
            return (null, $"{name} holds no users");
        }

        if (users.Count > MaxUsers)
        {
            return (null, $"{name} holds more than {MaxUsers} users");
        }

        return ([.. users.OrderBy(u => u.User, StringComparer.Ordinal)], string.Empty);
    }

    /// <summary>
    /// One "user:hash" per line (LF or CRLF); blank lines and lines starting with '#' are skipped, as nginx does. A
    /// refused line is named by its number only: hashes never reach a message.
    /// </summary>
    internal static string? ParseHtpasswd(byte[] file, List<BasicAuthUser> users)
    {
        string? text = Text(file);
        if (text is null)
        {
            return "is not valid UTF-8";
        }

        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            string? error = colon <= 0 ? "is not user:hash" : Check(line[..colon], line[(colon + 1)..], users);
            if (error is not null)
            {
                return $"line {i + 1} {error}";
            }
        }

        return null;
    }

    private static string? Check(string user, string? hash, List<BasicAuthUser> users)
    {
        if (!UserText().IsMatch(user))
        {
            return "has a user name that is not 1 to 256 printable ASCII characters without ':', whitespace or a leading '#'";
        }

        if (hash is null || !IsSupportedHash(hash))
        {
            return "has a password hash that " + HashRule;
        }

        if (users.Any(u => u.User == user))
        {
            return $"repeats user {Printable.Quote(user)}";
        }

        users.Add(new BasicAuthUser(user, hash));
        return null;
    }

    /// <summary>
    /// A hash nginx verifies itself ({SHA}, {SSHA}, $apr1$) or through the system's crypt(3): $1$, $5$, $6$ and bcrypt
    /// (glibc with libxcrypt, as Debian 12's nginx 1.22, and musl verify these; a crypt without bcrypt makes nginx answer
    /// 500, still closed). Refused: {PLAIN} (the password itself), DES crypt (only 8 characters count) and the rest.
    /// </summary>
    public static bool IsSupportedHash(string hash) => HashText().IsMatch(hash);

    private static string? Text(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^(?!#)[!-9;-~]{1,256}\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserText();

    [GeneratedRegex(
        @"^(?:\{SHA\}[A-Za-z0-9+/]{27}=" +
        @"|\{SSHA\}[A-Za-z0-9+/]{27,160}={0,2}" +
        @"|\$(?:apr1|1)\$[./0-9A-Za-z]{1,8}\$[./0-9A-Za-z]{22}" +
        @"|\$5\$(?:rounds=[1-9][0-9]{3,8}\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{43}" +
        @"|\$6\$(?:rounds=[1-9][0-9]{3,8}\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}" +
        @"|\$2[aby]\$(?:0[4-9]|[12][0-9]|3[01])\$[./0-9A-Za-z]{53})\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex HashText();
}
