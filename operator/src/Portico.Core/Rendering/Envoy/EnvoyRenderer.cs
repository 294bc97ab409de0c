using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portico.Core.Model;
using Scriban.Runtime;

namespace Portico.Core.Rendering.Envoy;

/// <summary>
/// Renders Envoy configuration: a bootstrap (envoy.json: admin on loopback, node, file-based LDS and CDS), the
/// discovery files it points at (lds.json, cds.json, and rds-http.json / rds-https.json, which the listeners load
/// through RDS), and the certificate files. Every discovery file is a DiscoveryResponse whose version_info is the
/// SHA-256 of that file rendered with an empty version, in a canonical JSON form (<see cref="ContentVersion"/>: no
/// whitespace, object keys sorted): a function of that file's resources only, so the version
/// Envoy reports for a resource type (which it advances only when a resource changed) equals the file's exactly when
/// Envoy runs that file (docs/adr/0006-envoy-reload-confirmation.md). The config hash is the usual hash over all files.
/// <para>
/// The rendered files form one version directory of the shared directory; Envoy's working directory is the shared
/// root, and every path Envoy reads goes through the link <see cref="ConfigLink"/> (<c>current/lds.json</c>), whose
/// atomic swap in the watched root is the reload (docs/envoy.md).
/// </para>
/// </summary>
public sealed class EnvoyRenderer : IProxyRenderer
{
    public const string BootstrapFile = "envoy.json";
    public const string ListenersFile = "lds.json";
    public const string ClustersFile = "cds.json";
    public const string HttpRoutesFile = "rds-http.json";
    public const string HttpsRoutesFile = "rds-https.json";

    /// <summary>Certificates and keys: certs/ID.crt and certs/ID.key, ID being the certificate's content hash.</summary>
    public const string CertificateDirectory = "certs";

    /// <summary>
    /// The symlink in Envoy's working directory (the shared root) that points at the version directory in use: the
    /// applier's <c>VersionedConfigDirectory.CurrentLinkName</c>. Every path in the rendered files starts with it.
    /// </summary>
    public const string ConfigLink = "current";

    /// <summary>The directory Envoy watches for the link's swap: its working directory, which holds <see cref="ConfigLink"/>.</summary>
    public const string WatchedDirectory = ".";

    /// <summary>The first field every discovery-file template prints, with the version still empty.</summary>
    internal const string EmptyVersionField = "\"version_info\": \"\"";

    private const string HelpersName = "env";
    private const string RoutesTemplate = "rds.json";

    private readonly TemplateSet _templates;
    private readonly ScriptObject _helpers;

    public EnvoyRenderer(TemplateSet templates)
    {
        ArgumentNullException.ThrowIfNull(templates);
        _templates = templates;
        _helpers = new ScriptObject();
        _helpers.Import(typeof(EnvoyEscaping), renamer: StandardMemberRenamer.Default);
        foreach (string required in new[] { BootstrapFile, ListenersFile, ClustersFile, RoutesTemplate })
        {
            if (!templates.Contains(required))
            {
                throw new TemplateException($"envoy templates lack {required}{TemplateSet.Extension}");
            }
        }
    }

    public string Proxy => "envoy";

    /// <summary>
    /// What Envoy leaves out of a route's policy, one warning per Ingress and annotation (nginx enforces them all):
    /// a per-client connection limit (ingress-nginx limit-connections), and buffering turned on or sized
    /// (proxy-buffering, proxy-buffer-size, proxy-request-buffering; Envoy streams both ways, which is what "off" asks).
    /// </summary>
    public IEnumerable<Diagnostic> Limitations(ProxyModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.VirtualHosts.SelectMany(v => v.EffectiveRoutes)
            .Where(r => r.Source is not null)
            .SelectMany(r => Unenforced(r.Policy).Select(item => (Source: r.Source!, item.Annotation, item.Reason)))
            .Distinct()
            .Select(l => new Diagnostic(Severity.Warning, l.Source, $"metadata.annotations[{IngressNginxPrefix}{l.Annotation}]",
                $"{l.Reason}: not enforced by the Envoy proxy (nginx enforces it)"));
    }

    private const string IngressNginxPrefix = "nginx.ingress.kubernetes.io/";

    private static IEnumerable<(string Annotation, string Reason)> Unenforced(Model.Policies.RoutePolicy policy)
    {
        if (policy.LimitConnections is not null)
        {
            yield return ("limit-connections", "Envoy has no per-client connection limit");
        }

        if (policy.Buffering is { } buffering)
        {
            if (buffering.Response == true)
            {
                yield return ("proxy-buffering", "Envoy streams responses and has no per-route response buffering");
            }

            if (buffering.ResponseBufferSizeBytes is not null)
            {
                yield return ("proxy-buffer-size", "Envoy has no per-route response buffer size");
            }

            if (buffering.Request == true)
            {
                yield return ("proxy-request-buffering", "Envoy streams request bodies and has no per-route request buffering");
            }
        }
    }

    public RenderedConfig Render(ProxyModel model, ProxySettings settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        var settingsView = EnvoyViewBuilder.Settings(settings);
        var files = new List<RenderedFile>
        {
            new(BootstrapFile, TemplateRenderer.Render(_templates, BootstrapFile, new EnvoyBootstrapView(settingsView, EnvoyViewBuilder.Files), HelpersName, _helpers), IsPrivate: false),
            Discovery(ListenersFile, ListenersFile, EnvoyViewBuilder.Listeners(model, settingsView)),
            Discovery(ClustersFile, ClustersFile, EnvoyViewBuilder.Clusters(model, settingsView)),
            Discovery(HttpRoutesFile, RoutesTemplate, EnvoyViewBuilder.Routes(model, settings, settingsView, tls: false), EnvoyViewBuilder.HoldsCredentials(model)),
            Discovery(HttpsRoutesFile, RoutesTemplate, EnvoyViewBuilder.Routes(model, settings, settingsView, tls: true), EnvoyViewBuilder.HoldsCredentials(model)),
        };
        foreach (var certificate in model.Certificates)
        {
            files.Add(new RenderedFile(EnvoyViewBuilder.CertificateFile(certificate.Id), Encoding.ASCII.GetBytes(certificate.CertificateChainPem), IsPrivate: false));
            files.Add(new RenderedFile(EnvoyViewBuilder.KeyFile(certificate.Id), Encoding.ASCII.GetBytes(certificate.PrivateKeyPem), IsPrivate: true));
        }

        var sorted = files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        return new RenderedConfig(Proxy, [.. sorted], RenderedConfig.HashOf(sorted));
    }

    /// <summary>
    /// Renders a DiscoveryResponse file with an empty version_info, then writes its <see cref="ContentVersion"/> into it.
    /// The version field is the template's first output, before any value from the cluster, and a value from the
    /// cluster is printed JSON-escaped, so it can never contain the unescaped field text: the first occurrence is ours.
    /// </summary>
    /// <para>Route tables holding basic-auth password hashes are written private (0600), as nginx's htpasswd files.</para>
    private RenderedFile Discovery(string path, string template, object view, bool isPrivate = false)
    {
        byte[] unversioned = TemplateRenderer.Render(_templates, template, view, HelpersName, _helpers);
        string text = Encoding.UTF8.GetString(unversioned);
        int at = text.IndexOf(EmptyVersionField, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new TemplateException($"template envoy/{template} must print {EmptyVersionField} (the version Portico fills in)");
        }

        string version = ContentVersion(unversioned);
        string versioned = string.Concat(text.AsSpan(0, at), $"\"version_info\": \"{version}\"", text.AsSpan(at + EmptyVersionField.Length));
        return new RenderedFile(path, Encoding.UTF8.GetBytes(versioned), isPrivate);
    }

    /// <summary>
    /// The version of a discovery file rendered with an empty version_info: the SHA-256 of its canonical JSON (no
    /// whitespace, object keys in ordinal order, arrays in order). Formatting and key order do not reach Envoy's
    /// protos, so they must not change the version either: Envoy skips a resource whose proto is unchanged and keeps
    /// reporting the old version (docs/adr/0006-envoy-reload-confirmation.md).
    /// </summary>
    public static string ContentVersion(byte[] unversioned)
    {
        ArgumentNullException.ThrowIfNull(unversioned);
        var node = JsonNode.Parse(unversioned, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, MaxDepth = 256 }))
        {
            WriteCanonical(writer, node);
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    WriteCanonical(writer, value);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            case null:
                writer.WriteNullValue();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }

    /// <summary>The path Envoy reads a rendered file by: through <see cref="ConfigLink"/>, relative to its working directory.</summary>
    public static string ReadPath(string renderedPath) => $"{ConfigLink}/{renderedPath}";

    /// <summary>The rendered file a path in Envoy's config reads, or null when the path does not go through <see cref="ConfigLink"/>.</summary>
    public static string? RenderedPath(string readPath)
    {
        ArgumentNullException.ThrowIfNull(readPath);
        string prefix = ConfigLink + "/";
        return readPath.StartsWith(prefix, StringComparison.Ordinal) && readPath.Length > prefix.Length ? readPath[prefix.Length..] : null;
    }

    /// <summary>The version_info a discovery file carries; what Envoy's admin API reports once it has loaded it.</summary>
    public static string? VersionOf(RenderedFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        string text = Encoding.UTF8.GetString(file.Content);
        const string Prefix = "\"version_info\": \"";
        int at = text.IndexOf(Prefix, StringComparison.Ordinal);
        return at < 0 ? null : text.Substring(at + Prefix.Length, 64);
    }

    public override string ToString() => $"envoy renderer ({string.Join(", ", _templates.Names)})";
}
