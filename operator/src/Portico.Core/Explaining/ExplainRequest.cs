using System.Collections.Immutable;

namespace Portico.Core.Explaining;

/// <summary>
/// One request as a proxy routes it: scheme, host (the Host header when given, else the URL's; port and a trailing
/// dot removed, lowercase), path (query and fragment removed), method and headers. Only scheme, host and path take
/// part in routing today; method and headers are kept for policies.
/// </summary>
public sealed record ExplainRequest(string Scheme, string Host, string Path, string Method, ImmutableArray<KeyValuePair<string, string>> Headers)
{
    /// <summary>
    /// Parses "http(s)://host[:port]/path?query" and "Name: value" headers. Throws <see cref="ArgumentException"/>
    /// with a message for the user when the URL or a header is unusable.
    /// </summary>
    public static ExplainRequest Parse(string url, string? method = null, IEnumerable<string>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"--url must be an absolute http:// or https:// URL, not \"{url}\"");
        }

        var parsed = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        foreach (string header in headers ?? [])
        {
            int colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new ArgumentException($"--header must be 'Name: value', not \"{header}\"");
            }

            parsed.Add(new(header[..colon].Trim(), header[(colon + 1)..].Trim()));
        }

        // The proxies route on the Host header; the URL's host is what a client sends when none is given.
        string host = parsed.LastOrDefault(h => h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)).Value ?? uri.Authority;
        return new ExplainRequest(uri.Scheme, NormalizeHost(host), RawPath(url, uri), (method ?? "GET").ToUpperInvariant(), parsed.ToImmutable());
    }

    /// <summary>Lowercase, without port and without a trailing dot: what nginx and Envoy compare against server names.</summary>
    public static string NormalizeHost(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        string name = host.Trim();
        if (name.StartsWith('['))
        {
            int close = name.IndexOf(']', StringComparison.Ordinal);
            name = close > 0 ? name[..(close + 1)] : name;
        }
        else if (name.LastIndexOf(':') is var colon and >= 0)
        {
            name = name[..colon];
        }

        return name.TrimEnd('.').ToLowerInvariant();
    }

    /// <summary>
    /// The path as sent, without query or fragment. Not Uri.AbsolutePath: that resolves "." segments and re-escapes,
    /// which would explain a different request than the one the user typed.
    /// </summary>
    private static string RawPath(string url, Uri uri)
    {
        int authorityEnd = url.IndexOf("//", StringComparison.Ordinal) + 2;
        int pathStart = url.IndexOfAny(['/', '?', '#'], authorityEnd);
        if (pathStart < 0 || url[pathStart] != '/')
        {
            return "/";
        }

        int pathEnd = url.IndexOfAny(['?', '#'], pathStart);
        string path = pathEnd < 0 ? url[pathStart..] : url[pathStart..pathEnd];
        return path.Length == 0 ? uri.AbsolutePath : path;
    }
}
