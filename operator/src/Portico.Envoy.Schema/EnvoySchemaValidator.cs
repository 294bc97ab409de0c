using System.Text;
using Envoy.Config.Bootstrap.V3;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Envoy;

namespace Portico.Envoy.Schema;

/// <summary>
/// The strict schema check of a rendered Envoy configuration. Every JSON file is parsed with Google.Protobuf's JSON
/// parser into the message Envoy reads it as (envoy.json: Bootstrap; lds/cds/rds files: DiscoveryResponse, each
/// resource an Any of the file's type): an unknown field, a wrong JSON type, an undefined enum name or an Any
/// <c>@type</c> that is not compiled here is an error. Then the protoc-gen-validate rules Envoy enforces on load, and
/// the references between files (<see cref="EnvoyReferenceCheck"/>). Problems name the file.
/// </summary>
public sealed class EnvoySchemaValidator : IConfigSchemaValidator
{
    /// <summary>The npm package the protos come from; EnvoyProtoClosureTests checks it matches operator/envoy-protos.</summary>
    public const string ProtoPackage = "@grpc/grpc-js-xds@1.14.1";

    private static readonly Dictionary<string, string> ResourceTypes = new(StringComparer.Ordinal)
    {
        [EnvoyRenderer.ListenersFile] = "type.googleapis.com/envoy.config.listener.v3.Listener",
        [EnvoyRenderer.ClustersFile] = "type.googleapis.com/envoy.config.cluster.v3.Cluster",
        [EnvoyRenderer.HttpRoutesFile] = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration",
        [EnvoyRenderer.HttpsRoutesFile] = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration",
    };

    public string Proxy => "envoy";

    public string Description => $"Envoy v3 API protos from {ProtoPackage}: strict JSON parsing, protoc-gen-validate rules, references between files";

    public IReadOnlyList<string> Validate(RenderedConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = new List<string>();
        var parsed = new Dictionary<string, IMessage>(StringComparer.Ordinal);
        foreach (var file in config.Files)
        {
            if (file.Path.EndsWith(".key", StringComparison.Ordinal) && !file.IsPrivate)
            {
                problems.Add($"{file.Path}: a private key must be written as a private file (mode 0600)");
            }

            var message = ParseFile(file.Path, file.Content, problems);
            if (message is not null)
            {
                parsed[file.Path] = message;
            }
        }

        if (!config.Files.Any(f => f.Path == EnvoyRenderer.BootstrapFile))
        {
            problems.Add($"{EnvoyRenderer.BootstrapFile}: missing");
        }

        if (problems.Count == 0)
        {
            new EnvoyReferenceCheck(config, parsed, problems).Run();
        }

        return problems;
    }

    /// <summary>Parses and checks one file; null (with problems) when it does not parse or is not an Envoy file.</summary>
    internal static IMessage? ParseFile(string path, byte[] content, List<string> problems)
    {
        if (path.StartsWith(EnvoyRenderer.CertificateDirectory + "/", StringComparison.Ordinal))
        {
            CheckPem(path, content, problems);
            return null;
        }

        IMessage message;
        try
        {
            string json = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(content);
            if (path == EnvoyRenderer.BootstrapFile)
            {
                message = EnvoyTypes.StrictParser.Parse<Bootstrap>(json);
            }
            else if (ResourceTypes.TryGetValue(path, out string? typeUrl))
            {
                var response = EnvoyTypes.StrictParser.Parse<DiscoveryResponse>(json);
                CheckResponse(path, response, typeUrl, problems);
                message = response;
            }
            else
            {
                problems.Add($"{path}: not a file Envoy reads (expected {EnvoyRenderer.BootstrapFile}, {string.Join(", ", ResourceTypes.Keys)} or certs/)");
                return null;
            }
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException or ArgumentException or DecoderFallbackException
            or InvalidOperationException)
        {
            // The JSON parser reports an Any whose @type is not in the registry as InvalidOperationException.
            problems.Add($"{path}: {e.Message}");
            return null;
        }

        int before = problems.Count;
        var rules = new List<string>();
        new PgvValidator(rules).Check(message, path);
        problems.AddRange(rules);
        return problems.Count == before ? message : null;
    }

    private static void CheckResponse(string path, DiscoveryResponse response, string typeUrl, List<string> problems)
    {
        if (response.TypeUrl != typeUrl)
        {
            problems.Add($"{path}: type_url is {response.TypeUrl}, expected {typeUrl}");
        }

        if (response.VersionInfo.Length == 0)
        {
            problems.Add($"{path}: version_info is empty (the applier confirms reloads by it)");
        }

        for (int i = 0; i < response.Resources.Count; i++)
        {
            if (response.Resources[i].TypeUrl != typeUrl)
            {
                problems.Add($"{path}: resources[{i}] is a {response.Resources[i].TypeUrl}, expected {typeUrl}");
            }
        }
    }

    private static void CheckPem(string path, byte[] content, List<string> problems)
    {
        string text = Encoding.ASCII.GetString(content);
        string expected = path.EndsWith(".key", StringComparison.Ordinal) ? "PRIVATE KEY-----" : path.EndsWith(".crt", StringComparison.Ordinal) ? "-----BEGIN CERTIFICATE-----" : string.Empty;
        if (expected.Length == 0 || !text.Contains(expected, StringComparison.Ordinal))
        {
            problems.Add($"{path}: not a PEM {(expected.Length == 0 ? "certificate or key file name" : expected.Trim('-'))}");
        }
    }
}
