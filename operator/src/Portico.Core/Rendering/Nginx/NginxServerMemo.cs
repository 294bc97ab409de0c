using System.Text;
using Portico.Core.Model;

namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// What the last rendering made of each host that nothing but its own <see cref="VirtualHost"/> decides: with Lua
/// endpoints, a host without external auth. Its final server view, the http-level blocks its policies name (rate
/// zones, CORS and header maps, cookie and affinity maps; <see cref="NginxHttpBlocks"/>), its fallback-table entry
/// and its server block's text are reused when an equal host (by value) comes again under equal settings. At 10,000
/// Ingresses a change touches a host or two, and building and printing the other hosts' servers was most of a
/// rendering's time (issue 13). Built afresh every time: the default server, hosts with external auth (their check
/// depends on the auth Service's endpoints), and every host without Lua (views name upstream blocks by endpoints).
/// Its live-file lines are kept too. Entries not used by a rendering are dropped, so the memo holds one rendering's hosts at most.
/// IncrementalRenderTests check that a renderer keeping a memo gives a fresh renderer's bytes after any sequence of
/// changes. Not thread-safe: <see cref="NginxRenderer"/> holds a lock while it uses it.
/// </summary>
internal sealed class NginxServerMemo
{
    // By host name (a model has one host per name), then compared whole: a model that reuses its unchanged hosts
    // (Building.HostReuse) is found by reference, without hashing 10,000 hosts deeply per change (issue 13).
    private Dictionary<HostPattern, (VirtualHost Host, Entry Entry)> _last = [];
    private Dictionary<HostPattern, (VirtualHost Host, Entry Entry)> _next = [];
    private readonly Dictionary<NginxServerView, Entry> _byView = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<NginxFallbackHost, Entry> _byFallback = new(ReferenceEqualityComparer.Instance);
    private NginxSettingsView? _settings;

    /// <summary>Memo entries are for hosts whose server nothing else decides (see the type's summary).</summary>
    public static bool Applies(VirtualHost host, bool lua) =>
        lua && host.Host.Kind != HostKind.Any && host.EffectiveRoutes.All(r => r.Policy.ExternalAuth is null);

    /// <summary>Starts a rendering: entries made under other settings (names, ports, hash sizes) are dropped.</summary>
    public void Begin(NginxSettingsView settings)
    {
        if (_settings != settings)
        {
            _last.Clear();
        }

        _settings = settings;
        _next = new Dictionary<HostPattern, (VirtualHost Host, Entry Entry)>(_last.Count);
        _byView.Clear();
        _byFallback.Clear();
    }

    /// <summary>The last rendering's entry for an equal host, kept for the next one; null when there is none.</summary>
    public Entry? Find(VirtualHost host)
    {
        if (!_last.TryGetValue(host.Host, out var last) || !(ReferenceEquals(last.Host, host) || last.Host.Equals(host)))
        {
            return null;
        }

        Keep(host, last.Entry);
        return last.Entry;
    }

    public void Add(VirtualHost host, Entry entry) => Keep(host, entry);

    /// <summary>The entry whose view is <paramref name="view"/> (the same instance), if this rendering has one.</summary>
    public Entry? Of(NginxServerView view) => _byView.GetValueOrDefault(view);

    /// <summary>The entry whose fallback-table entry is <paramref name="fallback"/> (the same instance), if this rendering has one.</summary>
    public Entry? OfFallback(NginxFallbackHost fallback) => _byFallback.GetValueOrDefault(fallback);

    /// <summary>Ends a rendering: what it used is what the next one may reuse.</summary>
    public void Commit()
    {
        _last = _next;
        _next = [];
    }

    private void Keep(VirtualHost host, Entry entry)
    {
        _next[host.Host] = (host, entry);
        _byView[entry.View] = entry;
        if (entry.Fallback is { } fallback)
        {
            _byFallback[fallback] = entry;
        }
    }

    /// <summary>One host's server: its final view, its fallback-table entry (null when it has none), the http-level blocks it names and, once printed, its block.</summary>
    public sealed class Entry(NginxServerView view, NginxFallbackHost? fallback, NginxHttpBlocks blocks)
    {
        public NginxServerView View { get; } = view;

        public NginxFallbackHost? Fallback { get; } = fallback;

        public NginxHttpBlocks Blocks { get; } = blocks;

        // Kept as UTF-8, half the memory of the string: ~1.5 MiB at 10,000 hosts (issue 13). Text that would not come
        // back the same (a lone surrogate) is not kept, so it is printed again next time.
        private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        private byte[]? _text;

        public bool HasText => _text is not null;

        public string? Text
        {
            get => _text is null ? null : Strict.GetString(_text);
            set => _text = value is null ? null : TryEncode(value);
        }

        private static byte[]? TryEncode(string text)
        {
            try
            {
                return Strict.GetBytes(text);
            }
            catch (EncoderFallbackException)
            {
                return null;
            }
        }

        /// <summary>Once written, the server's lines of the live file (its routes and Lua-matched rules; <see cref="NginxEndpointsFile"/>).</summary>
        public byte[][]? Lines { get; set; }

        /// <summary>Once written, the fallback entry's line of the live file.</summary>
        public byte[]? FallbackLine { get; set; }
    }
}
