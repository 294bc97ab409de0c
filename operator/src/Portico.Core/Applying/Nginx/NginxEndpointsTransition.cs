using System.Collections.Immutable;
using System.Text;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Nginx;

namespace Portico.Core.Applying.Nginx;

/// <summary>
/// While nginx reloads, its old workers still route by the old nginx.conf: an upstream the new configuration no
/// longer names (a path switched to another Service) must keep its endpoints until they are gone. So the endpoints
/// file published before the swap is the union of the old and the new one (new lines win): the new file's lines, then
/// the old lines whose key (the first word) the new file does not have. The exact new file follows once the reload
/// is confirmed. Done on bytes: at 10,000 Ingresses each file is ~2.5 MB of ~21,000 lines, and this runs before every
/// swap (issue 13).
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

        var lines = new List<byte[]>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in Lines(incoming.Content))
        {
            keys.Add(Key(line.Span));
            lines.Add(line.ToArray());
        }

        foreach (var line in Lines(current.Content))
        {
            if (!keys.Contains(Key(line.Span)))
            {
                lines.Add(line.ToArray());
            }
        }

        return [NginxEndpointsFile.FromLines([.. lines])];
    }

    /// <summary>The lines of an endpoints file (the version line, empty lines and other comments left out).</summary>
    private static IEnumerable<ReadOnlyMemory<byte>> Lines(byte[] content)
    {
        int start = 0;
        while (start < content.Length)
        {
            int end = Array.IndexOf(content, (byte)'\n', start);
            end = end < 0 ? content.Length : end;
            if (end > start && content[start] != (byte)'#')
            {
                yield return content.AsMemory(start, end - start);
            }

            start = end + 1;
        }
    }

    /// <summary>What a line is the line of: its first word (a host, route, policy or upstream key with its mark).</summary>
    private static string Key(ReadOnlySpan<byte> line)
    {
        int space = line.IndexOf((byte)' ');
        return Encoding.ASCII.GetString(space < 0 ? line : line[..space]);
    }
}
