using System.Collections.Immutable;
using System.Text;
using Portico.Core.Model;
using Scriban.Runtime;

namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// Renders nginx.conf, portico-status.conf (which serves the hash of all other files), the certificate files and the
/// basic-auth user files (auth/ID.htpasswd, 0600),
/// plus the live endpoints file (<see cref="NginxEndpointsFile"/>) nginx reads without a reload. The output runs as
/// is: <c>nginx -p DIR -c nginx.conf</c>, unprivileged, with the Lua module (<see cref="ProxySettings.NginxModulesDirectory"/>).
/// </summary>
public sealed class NginxRenderer : IProxyRenderer
{
    public const string MainFile = "nginx.conf";
    public const string StatusFile = "portico-status.conf";

    /// <summary>With Lua endpoints, which certificate each host with TLS presents: "HOST ID" lines (ADR 0017).</summary>
    public const string CertificatesFile = NginxCertificatesFile.Name;

    /// <summary>The template that prints one server block (nginx.conf writes the blocks as printed).</summary>
    public const string ServerTemplate = "_server";

    private readonly TemplateSet _templates;
    private readonly ScriptObject _helpers;

    // Unchanged hosts' servers from the last rendering (NginxServerMemo); null when not remembering.
    private readonly NginxServerMemo? _memo;

    // One rendering at a time uses the memo.
    private readonly Lock _rendering = new();

    // What each configuration this renderer produced was rendered from, for as long as someone holds the configuration.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<RenderedConfig, LastRender> _rendered = [];

    public NginxRenderer(TemplateSet templates)
        : this(templates, rememberServers: true)
    {
    }

    /// <summary>
    /// <paramref name="rememberServers"/> false builds and prints every server on every rendering, without
    /// <see cref="NginxServerMemo"/> (its output is the reference the incremental property check compares against).
    /// </summary>
    public NginxRenderer(TemplateSet templates, bool rememberServers)
    {
        _memo = rememberServers ? new NginxServerMemo() : null;
        ArgumentNullException.ThrowIfNull(templates);
        _templates = templates;
        _helpers = new ScriptObject();
        _helpers.Import(typeof(NginxEscaping), renamer: StandardMemberRenamer.Default);
        foreach (string required in new[] { MainFile, StatusFile, ServerTemplate })
        {
            if (!templates.Contains(required))
            {
                throw new TemplateException($"nginx templates lack {required}{TemplateSet.Extension}");
            }
        }
    }

    public string Proxy => "nginx";

    public RenderedConfig Render(ProxyModel model, ProxySettings settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        NginxView view;
        byte[] main;
        lock (_rendering)
        {
            view = NginxViewBuilder.Build(model, settings, _memo);
            view = view with { ServerBlocks = ServerBlocks(view) };
            main = TemplateRenderer.Render(_templates, MainFile, view, "ngx", _helpers);
            _memo?.Commit();
        }

        var files = new List<RenderedFile>
        {
            new(MainFile, main, IsPrivate: false),
        };
        foreach (var certificate in model.Certificates)
        {
            files.Add(new RenderedFile(NginxViewBuilder.CertificateFile(certificate.Id), Encoding.ASCII.GetBytes(certificate.CertificateChainPem), IsPrivate: false));
            files.Add(new RenderedFile(NginxViewBuilder.KeyFile(certificate.Id), Encoding.ASCII.GetBytes(certificate.PrivateKeyPem), IsPrivate: true));
        }

        if (view.SniCertificates.Count > 0)
        {
            files.Add(new RenderedFile(CertificatesFile, NginxCertificatesFile.Render(view.SniCertificates), IsPrivate: false));
        }

        // One htpasswd file per distinct credentials, named by their content hash, private like keys.
        var credentials = model.VirtualHosts.SelectMany(v => v.EffectiveRoutes).Select(r => r.Policy.BasicAuth).OfType<Model.Policies.BasicAuthCredentials>()
            .DistinctBy(c => c.Id).OrderBy(c => c.Id, StringComparer.Ordinal);
        foreach (var credential in credentials)
        {
            files.Add(new RenderedFile(NginxAuthViews.CredentialsFile(credential.Id), Encoding.UTF8.GetBytes(credential.Htpasswd), IsPrivate: true));
        }

        string hash = RenderedConfig.HashOf(files);
        files.Add(new RenderedFile(StatusFile, TemplateRenderer.Render(_templates, StatusFile, new NginxStatusView(view.Settings, hash), "ngx", _helpers), IsPrivate: false));
        var config = new RenderedConfig(Proxy, [.. files.OrderBy(f => f.Path, StringComparer.Ordinal)], hash);
        if (!settings.NginxLuaEndpoints)
        {
            return config;
        }

        IReadOnlyList<byte[]> viewLines;
        lock (_rendering)
        {
            viewLines = NginxEndpointsFile.ViewLines(view, _memo);
        }

        var (endpoints, endpointsVersion, liveLines) = NginxEndpointsFile.Render(model, viewLines);
        config = config with { Live = [endpoints], LiveHash = endpointsVersion };
        _rendered.AddOrUpdate(config, new LastRender(viewLines, liveLines, settings, [.. view.Upstreams.Concat(view.Auth.Upstreams).Select(u => u.Name)]));
        return config;
    }

    /// <summary>Each server's block: the memo's text for a server it kept, the others printed now (and kept when the memo has their host).</summary>
    private string[] ServerBlocks(NginxView view)
    {
        var entries = view.Servers.Select(s => _memo?.Of(s)).ToList();
        var missing = view.Servers.Select((s, i) => entries[i]?.HasText == true ? null : s).ToList();
        var printed = TemplateRenderer.RenderEach(_templates, ServerTemplate, view, "ngx", _helpers, missing);
        var blocks = new string[view.Servers.Count];
        for (int i = 0; i < blocks.Length; i++)
        {
            if (printed[i] is { } text)
            {
                blocks[i] = text;
                entries[i]?.Text = text;
            }
            else
            {
                blocks[i] = entries[i]!.Text!;
            }
        }

        return blocks;
    }

    /// <summary>
    /// With Lua endpoints, endpoints live in the live file only, except those of upstream blocks in nginx.conf (external
    /// auth Services): when none of those changed, the files stay as they are and the live file is written again from
    /// the last view's lines (routes and fallback hosts do not depend on endpoint lists, only on their being empty).
    /// </summary>
    public RenderedConfig? RenderEndpointChange(RenderedConfig previous, ProxyModel model, IReadOnlyCollection<string> changedUpstreams, ProxySettings settings)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(changedUpstreams);
        if (!_rendered.TryGetValue(previous, out var last) || last.Settings != settings || !settings.NginxLuaEndpoints
            || changedUpstreams.Any(last.UpstreamsInFiles.Contains))
        {
            return null;
        }

        var (endpoints, endpointsVersion, liveLines) = NginxEndpointsFile.WithUpstreams(last.LiveLines, model, changedUpstreams)
            ?? NginxEndpointsFile.Render(model, last.ViewLines);
        var config = previous with { Live = [endpoints], LiveHash = endpointsVersion };
        _rendered.AddOrUpdate(config, last with { LiveLines = liveLines });
        return config;
    }

    /// <summary>
    /// What a rendering leaves for <see cref="RenderEndpointChange"/>: the live file's lines from the view (not the view:
    /// it is large), the whole file's lines, the settings, and the upstreams whose endpoints are written into nginx.conf.
    /// </summary>
    private sealed record LastRender(IReadOnlyList<byte[]> ViewLines, NginxLiveLines LiveLines, ProxySettings Settings, System.Collections.Frozen.FrozenSet<string> UpstreamsInFiles);
}
