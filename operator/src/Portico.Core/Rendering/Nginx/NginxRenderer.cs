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

    private readonly TemplateSet _templates;
    private readonly ScriptObject _helpers;

    public NginxRenderer(TemplateSet templates)
    {
        ArgumentNullException.ThrowIfNull(templates);
        _templates = templates;
        _helpers = new ScriptObject();
        _helpers.Import(typeof(NginxEscaping), renamer: StandardMemberRenamer.Default);
        foreach (string required in new[] { MainFile, StatusFile })
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
        var view = NginxViewBuilder.Build(model, settings);
        var files = new List<RenderedFile>
        {
            new(MainFile, TemplateRenderer.Render(_templates, MainFile, view, "ngx", _helpers), IsPrivate: false),
        };
        foreach (var certificate in model.Certificates)
        {
            files.Add(new RenderedFile(NginxViewBuilder.CertificateFile(certificate.Id), Encoding.ASCII.GetBytes(certificate.CertificateChainPem), IsPrivate: false));
            files.Add(new RenderedFile(NginxViewBuilder.KeyFile(certificate.Id), Encoding.ASCII.GetBytes(certificate.PrivateKeyPem), IsPrivate: true));
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

        var (endpoints, endpointsVersion) = NginxEndpointsFile.Render(model, view);
        return config with { Live = [endpoints], LiveHash = endpointsVersion };
    }
}
