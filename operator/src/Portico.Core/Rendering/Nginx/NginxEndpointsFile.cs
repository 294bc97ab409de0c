using System.Security.Cryptography;
using System.Text;
using System.Globalization;
using System.Text.RegularExpressions;
using Portico.Core.Model;

namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// The live file nginx's Lua reads without a reload (templates/nginx/_lua.scriban): a version line
/// "# portico endpoints HASH", then, sorted, one line per
/// <list type="bullet">
/// <item>route: "@KEY TARGET" — what a location (by its route key) does: an upstream name, a weighted split
/// "w:NAME=WEIGHT,NAME=WEIGHT..." (one upstream chosen per request by weight) or "!STATUS";</item>
/// <item>upstream: "NAME ADDR:PORT ..." — its ready endpoints;</item>
/// <item>fallback host: "=HOST E|P:HEXPATH:TARGET[;LIVE] ..." — how the default server routes a host that has no server
/// block (ADR 0014), "~HOST ..." for one with TLS, routed over HTTPS too (ADR 0017): the host's effective routes in precedence order, the catch-all included, paths
/// hex-encoded, each with the live part of its policy when it has one (the tokens of a "+KEY" line, joined by ";");</item>
/// <item>matched server: "&amp;KEY E|P:HEXPATH:TARGET ..." — the same table for a server whose one location is matched by
/// Lua (<see cref="NginxLiveMatching"/>), under the key its location names;</item>
/// <item>live policy: "+KEY t:CONNECT:SEND:READ h:HEXNAME a:HEXNAME:HEXVALUE ..." — the response headers and
/// timeouts of the location named by a route or rules key (<see cref="NginxLivePolicy"/>, ADR 0016).</item>
/// </list>
/// Every token is a validated name, a typed address, a number or hex, checked again here; the version is the
/// SHA-256 of the lines after it, so the same input gives the same bytes and version.
/// </summary>
internal static partial class NginxEndpointsFile
{
    public const string FileName = "portico-endpoints.txt";
    public const string VersionPrefix = "# portico endpoints ";

    public static (RenderedFile File, string Version) Render(ProxyModel model, NginxView view)
    {
        var (file, version, _) = Render(model, ViewLines(view));
        return (file, version);
    }

    /// <summary>
    /// The file from lines already taken from a view (<see cref="ViewLines"/>) and the model's upstreams; its lines, for
    /// <see cref="WithUpstreams"/>. Lines are kept as ASCII bytes, half the memory of strings (they are every host's
    /// routing, kept between renderings: ~3.5 MiB as strings at 10,000 hosts, issue 13); every token in them is ASCII,
    /// so ordinal order of the bytes is the order of the text.
    /// </summary>
    public static (RenderedFile File, string Version, NginxLiveLines Lines) Render(ProxyModel model, IReadOnlyList<byte[]> viewLines)
    {
        var entries = new List<(byte[] Line, string? Upstream)>(viewLines.Count + model.Upstreams.Length);
        entries.AddRange(viewLines.Select(l => (l, (string?)null)));
        foreach (var upstream in model.Upstreams.Where(u => u.ExternalName is null))
        {
            entries.Add((UpstreamLine(upstream), upstream.Name));
        }

        entries.Sort((a, b) => Compare(a.Line, b.Line));
        byte[][] lines = [.. entries.Select(e => e.Line)];
        var upstreamLines = new Dictionary<string, int>(StringComparer.Ordinal);
        bool unique = true;
        for (int i = 0; i < entries.Count; i++)
        {
            if (entries[i].Upstream is { } name)
            {
                unique &= upstreamLines.TryAdd(name, i);
            }
        }

        var (file, version) = Assemble(lines);
        return (file, version, new NginxLiveLines(lines, unique ? upstreamLines : null));
    }

    /// <summary>
    /// The file of <paramref name="previous"/> with the lines of the <paramref name="changed"/> upstreams written again
    /// from <paramref name="model"/>: an endpoint change costs its own lines, not a sort of the whole file. An
    /// upstream line's place in the order depends only on its name (names are tokens: every character sorts after
    /// the space that ends one), so the lines stay sorted; should a neighbour say otherwise, or an upstream not be
    /// found, the answer is null and the caller renders the file whole.
    /// </summary>
    public static (RenderedFile File, string Version, NginxLiveLines Lines)? WithUpstreams(NginxLiveLines previous, ProxyModel model, IReadOnlyCollection<string> changed)
    {
        if (previous.UpstreamLines is not { } index)
        {
            return null;
        }

        var names = changed.ToHashSet(StringComparer.Ordinal);
        byte[][] lines = (byte[][])previous.Lines.Clone();
        int replaced = 0;
        foreach (var upstream in model.Upstreams)
        {
            if (!names.Contains(upstream.Name))
            {
                continue;
            }

            if (upstream.ExternalName is not null || !index.TryGetValue(upstream.Name, out int i))
            {
                return null;
            }

            lines[i] = UpstreamLine(upstream);
            if ((i > 0 && Compare(lines[i - 1], lines[i]) >= 0) || (i + 1 < lines.Length && Compare(lines[i], lines[i + 1]) >= 0))
            {
                return null;
            }

            replaced++;
        }

        if (replaced != names.Count)
        {
            return null;
        }

        var (file, version) = Assemble(lines);
        return (file, version, previous with { Lines = lines });
    }

    /// <summary>"NAME ADDR:PORT ...": an upstream's ready endpoints.</summary>
    private static byte[] UpstreamLine(Upstream upstream)
    {
        var line = new StringBuilder(NginxEscaping.Token(upstream.Name));
        foreach (var endpoint in upstream.Endpoints)
        {
            line.Append(' ').Append(NginxEscaping.Token(endpoint.HostPort));
        }

        return Ascii(line.ToString());
    }

    private static byte[] Ascii(string line) => Encoding.ASCII.GetBytes(line);

    private static int Compare(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b);

    /// <summary>
    /// The lines that come from the view (routes, fallback hosts, Lua-matched servers' rules; in no particular order,
    /// the file sorts them): they do not depend on endpoint lists. A server or fallback entry the memo kept brings the
    /// lines it gave last time (<see cref="NginxServerMemo"/>).
    /// </summary>
    public static IReadOnlyList<byte[]> ViewLines(NginxView view, NginxServerMemo? memo = null)
    {
        var lines = new List<byte[]>();
        lines.AddRange(ServerLines(view.DefaultServer));
        foreach (var server in view.Servers)
        {
            var entry = memo?.Of(server);
            var serverLines = entry?.Lines ?? ServerLines(server);
            entry?.Lines = serverLines;
            lines.AddRange(serverLines);
        }

        foreach (var host in view.FallbackHosts)
        {
            var entry = memo?.OfFallback(host);
            byte[] line = entry?.FallbackLine ?? FallbackLine(host);
            entry?.FallbackLine = line;
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>
    /// A server's routes ("@KEY TARGET"), for a server matched by Lua its rules ("&amp;KEY ..."), and the live part of
    /// its locations' policies ("+KEY ...", <see cref="NginxLivePolicy"/>).
    /// </summary>
    private static byte[][] ServerLines(NginxServerView server)
    {
        var lines = server.Locations.Where(l => l.Route is not null).Select(l => $"@{NginxEscaping.Token(l.Route)} {Target(l.RouteTarget!)}");
        if (server.LiveRules is { } rules)
        {
            lines = lines.Append(RulesLine("&" + NginxEscaping.Token(rules.Key), rules.Rules));
        }

        var policies = server.Locations.Select(l => l.LiveKey is { } key ? l.Live?.Line(key) : null).OfType<string>();
        return [.. lines.Concat(policies).Select(Ascii)];
    }

    private static byte[] FallbackLine(NginxFallbackHost host)
    {
        if (!HostName().IsMatch(host.Host))
        {
            throw new TemplateException($"host {Printable.Quote(host.Host)} cannot be written into the endpoints file");
        }

        // "=HOST" is routed over plain HTTP only; "~HOST" has TLS and is routed over HTTPS too (ADR 0017).
        return Ascii(RulesLine((host.Tls ? "~" : "=") + host.Host, host.Rules));
    }

    /// <summary>"HEAD E|P:HEXPATH:TARGET ...": a routing table in precedence order, paths hex-encoded.</summary>
    private static string RulesLine(string head, IReadOnlyList<NginxFallbackRule> rules)
    {
        var line = new StringBuilder(head);
        foreach (var rule in rules)
        {
            line.Append(' ').Append(rule.Exact ? 'E' : 'P').Append(':').Append(Convert.ToHexStringLower(Encoding.UTF8.GetBytes(rule.Path))).Append(':').Append(Target(rule.Target));
            if (rule.Live?.Inline() is { } policy)
            {
                line.Append(';').Append(policy);
            }
        }

        return line.ToString();
    }

    /// <summary>An upstream name (a safe token), a weighted split "w:NAME=WEIGHT,..." (possibly after selectors "h|c:HEX:HEX:NAME|") or "!STATUS".</summary>
    private static string Target(string target) =>
        target.StartsWith("w:", StringComparison.Ordinal) || target.Contains('|', StringComparison.Ordinal) ? WeightedTarget(target)
        : target.StartsWith('!') && int.TryParse(target.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int status) && status is >= 200 and <= 599
            ? target
            : NginxEscaping.Token(target);

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex HostName();

    /// <summary>
    /// A weighted split: upstream names without ':', '=' or ',' and positive decimal weights, after any selectors (kind,
    /// hex-encoded name and value, upstream name, then "|").
    /// </summary>
    private static string WeightedTarget(string target) =>
        WeightedSplit().IsMatch(target) ? target : throw new TemplateException($"target {Printable.Quote(target)} cannot be written into the endpoints file");

    [GeneratedRegex(@"^([hc]:[0-9a-f]{2,512}:[0-9a-f]{0,8192}:[A-Za-z0-9_.-]+\|){0,8}w:[A-Za-z0-9_.-]+=[1-9][0-9]{0,6}(,[A-Za-z0-9_.-]+=[1-9][0-9]{0,6})*\z", RegexOptions.CultureInvariant)]
    private static partial Regex WeightedSplit();

    /// <summary>A file of already encoded lines (each without its newline, in the order given), with its version line.</summary>
    public static RenderedFile FromLines(byte[][] lines) => Assemble(lines).File;

    /// <summary>The version line, then each line and a newline, written straight into the file's one buffer (it is megabytes at 10,000 hosts).</summary>
    private static (RenderedFile File, string Version) Assemble(byte[][] lines)
    {
        int head = VersionPrefix.Length + (SHA256.HashSizeInBytes * 2) + 1;
        long length = head;
        foreach (byte[] line in lines)
        {
            length += line.Length + 1;
        }

        byte[] content = new byte[length];
        int at = head;
        foreach (byte[] line in lines)
        {
            line.CopyTo(content.AsSpan(at));
            at += line.Length;
            content[at++] = (byte)'\n';
        }

        string version = Convert.ToHexStringLower(SHA256.HashData(content.AsSpan(head)));
        Encoding.ASCII.GetBytes(VersionPrefix + version + "\n", content.AsSpan(0, head));
        return (new RenderedFile(FileName, content, IsPrivate: false), version);
    }
}

/// <summary>The live file's lines in file order, and which line is each upstream's (null when names repeat): what an endpoint change rewrites.</summary>
internal sealed record NginxLiveLines(byte[][] Lines, IReadOnlyDictionary<string, int>? UpstreamLines);
