using System.Text.RegularExpressions;

namespace Portico.Core.Values;

/// <summary>
/// An absolute http(s) URL Portico puts into proxy config (an external auth service, a sign-in page): scheme http or
/// https, a DNS name or IP address, an optional port, and a path (and for sign-in pages a query) of unreserved
/// characters, percent-escapes and <c>/:@!&amp;+,=-._~</c>. No user info, no fragment, no spaces, quotes, parentheses,
/// semicolons, braces, backslashes, "$" or control characters, at most 2048 characters. <see cref="Uri"/> parses the accepted text again
/// so host and port are typed.
/// </summary>
public static partial class HttpUrlValue
{
    public const int MaxLength = 2048;

    public const string Rule = "must be an absolute http or https URL with a DNS name or IP address, an optional port and path (and query), without user info, fragment, spaces, quotes, braces, backslashes or \"$\"";

    public static bool TryParse(string? text, bool allowQuery, out Uri url)
    {
        url = null!;
        if (text is null || text.Length > MaxLength || Shape().Match(text) is not { Success: true } shape)
        {
            return false;
        }

        if (!allowQuery && shape.Groups["query"].Success)
        {
            return false;
        }

        string host = shape.Groups["host"].Value;
        bool hostOk = host.StartsWith('[')
            ? IpNetworkValue.TryParseAddress(host[1..^1], out _)
            : IpNetworkValue.TryParseAddress(host, out _) || DnsGrammar.IsSubdomain(DnsGrammar.ToLowerAscii(host));
        if (!hostOk || (shape.Groups["port"].Success && !(int.TryParse(shape.Groups["port"].ValueSpan, out int port) && port is >= 1 and <= 65535)))
        {
            return false;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out url!) && url.Scheme is "http" or "https" && url.UserInfo.Length == 0;
    }

    [GeneratedRegex(@"^(?<scheme>https?)://(?<host>\[[0-9A-Fa-f:]+\]|[A-Za-z0-9.-]+)(:(?<port>[1-9][0-9]{0,4}))?(?<path>/([A-Za-z0-9\-._~!&+,=:@/]|%[0-9A-Fa-f]{2})*)?(\?(?<query>([A-Za-z0-9\-._~!&+,=:@/?]|%[0-9A-Fa-f]{2})*))?\z", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Shape();
}
