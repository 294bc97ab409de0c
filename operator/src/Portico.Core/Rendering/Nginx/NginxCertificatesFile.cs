using System.Text;
using System.Text.RegularExpressions;

namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// portico-certificates.txt (ADR 0017): one "HOST ID" line per host with TLS ("*.example.com" for a one-label
/// wildcard), which certificate the Lua presents for it. One rule for the line, used where the renderer writes it and
/// where the operator's validator reads it back (<see cref="Applying.Nginx.NginxCertificatesCheck"/>).
/// </summary>
internal static partial class NginxCertificatesFile
{
    public const string Name = "portico-certificates.txt";

    /// <summary>The file's bytes, each line checked against the rule: the Lua reads this file.</summary>
    public static byte[] Render(IReadOnlyList<NginxSniCertificate> certificates)
    {
        var text = new StringBuilder();
        foreach (var certificate in certificates)
        {
            string line = certificate.Host + " " + certificate.Id;
            if (Parse(line) != certificate)
            {
                throw new TemplateException($"certificate {Model.Printable.Quote(certificate.Id)} of host {Model.Printable.Quote(certificate.Host)} cannot be written into {Name}");
            }

            text.Append(line).Append('\n');
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>The host and id of one line; null when the line breaks the rule.</summary>
    public static NginxSniCertificate? Parse(string line) =>
        Line().Match(line) is { Success: true } match ? new NginxSniCertificate(match.Groups["host"].Value, match.Groups["id"].Value) : null;

    [GeneratedRegex(@"^(?<host>(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?) (?<id>[0-9a-f]{1,64})\z", RegexOptions.CultureInvariant)]
    private static partial Regex Line();
}
