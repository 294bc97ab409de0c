using System.Collections.Immutable;
using System.Text;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Nginx;

namespace Portico.Core.Applying.Nginx;

/// <summary>
/// While nginx reloads, its old workers still route by the old nginx.conf: an upstream the new configuration no
/// longer names (a path switched to another Service) must keep its endpoints until they are gone. So the endpoints
/// file published before the swap is the union of the old and the new one (new lines win); the exact new file
/// follows once the reload is confirmed.
/// </summary>
public sealed class NginxEndpointsTransition : ILiveTransition
{
    public ImmutableArray<RenderedFile> During(ImmutableArray<RenderedFile> before, RenderedConfig next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (next[NginxEndpointsFile.FileName] is not { } incoming || before.FirstOrDefault(f => f.Path == NginxEndpointsFile.FileName) is not { } current)
        {
            return next.Live;
        }

        var lines = Lines(current.Content);
        foreach (var (name, line) in Lines(incoming.Content))
        {
            lines[name] = line;
        }

        return [NginxEndpointsFile.FromLines(lines.Values)];
    }

    /// <summary>The upstream lines of an endpoints file by name (the version line and anything malformed left out).</summary>
    private static SortedDictionary<string, string> Lines(byte[] content)
    {
        var lines = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in Encoding.ASCII.GetString(content).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.StartsWith('#'))
            {
                lines[line.Split(' ')[0]] = line;
            }
        }

        return lines;
    }
}
