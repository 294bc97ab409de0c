using System.Security.Cryptography;
using System.Text;
using Portico.Core.Model;

namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// The live endpoints file nginx's Lua balancer reads without a reload (templates/nginx/_lua.scriban): a version line
/// "# portico endpoints HASH", then one line per upstream, "NAME ADDR:PORT ADDR:PORT ...", in name order. Names are
/// validated upstream names and endpoints typed addresses, both checked again as tokens here; the version is the
/// SHA-256 of the lines after it, so the same endpoints give the same bytes and version.
/// </summary>
internal static class NginxEndpointsFile
{
    public const string FileName = "portico-endpoints.txt";
    public const string VersionPrefix = "# portico endpoints ";

    public static (RenderedFile File, string Version) Render(ProxyModel model)
    {
        var body = new StringBuilder();
        foreach (var upstream in model.Upstreams.Where(u => u.ExternalName is null).OrderBy(u => u.Name, StringComparer.Ordinal))
        {
            body.Append(NginxEscaping.Token(upstream.Name));
            foreach (var endpoint in upstream.Endpoints)
            {
                body.Append(' ').Append(NginxEscaping.Token(endpoint.HostPort));
            }

            body.Append('\n');
        }

        return WithVersion(body.ToString());
    }

    /// <summary>A file of already rendered upstream lines (in the order given), with its version line.</summary>
    public static RenderedFile FromLines(IEnumerable<string> lines) => WithVersion(string.Concat(lines.Select(l => l + "\n"))).File;

    private static (RenderedFile File, string Version) WithVersion(string body)
    {
        byte[] bodyBytes = Encoding.ASCII.GetBytes(body);
        string version = Convert.ToHexStringLower(SHA256.HashData(bodyBytes));
        byte[] content = [.. Encoding.ASCII.GetBytes(VersionPrefix + version + "\n"), .. bodyBytes];
        return (new RenderedFile(FileName, content, IsPrivate: false), version);
    }
}
