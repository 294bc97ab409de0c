using System.CommandLine;
using System.Text.Json;
using k8s;
using k8s.Exceptions;
using Portico.Core.Explaining;
using Portico.Core.Kubernetes;
using Portico.Core.Manifests;
using Portico.Core.Offline;
using Portico.Core.Rendering;
using Portico.Options;
using Portico.Watching;

namespace Portico.Cli;

/// <summary>
/// `portico explain`: which virtual host, Ingress, rule and path serve one request, what the proxy does with it and
/// what else matched and lost. Built from the same model the renderers translate, under the same settings flags, from
/// manifests or (--kubeconfig) from the cluster read once.
/// </summary>
internal static class ExplainCommand
{
    private static readonly Option<string> Url = new("--url") { Description = "The request: http(s)://HOST[:PORT]/PATH[?QUERY].", Required = true };

    private static readonly Option<string> Method = new("--method") { Description = "HTTP method (default GET)." };

    private static readonly Option<string[]> Headers = new("--header", "-H") { Description = "Request header 'Name: value' (repeatable; Host overrides the URL's host).", Arity = ArgumentArity.ZeroOrMore };

    private static readonly Option<string> Output = new("--output") { Description = "text (default) or json." };

    /// <summary>Not the shared, required --manifests: explain reads manifests or, with --kubeconfig, the cluster.</summary>
    private static readonly Option<string[]> Manifests = new("--manifests", "-m")
    {
        Description = "Manifest file or directory (repeatable); or give --kubeconfig to explain the cluster's live state.",
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<string> Kubeconfig = new("--kubeconfig") { Description = "kubeconfig file: read the cluster once (the same list calls as the watchers) instead of manifests." };

    private static readonly Option<string> Namespace = new("--namespace") { Description = "With --kubeconfig: read only this namespace (as `run --namespace`)." };

    public static Command Create()
    {
        var command = new Command("explain", "Explain which Ingress rule serves a request and what the proxy answers. Exit 0 explained, 2 unusable input.");
        command.Add(Manifests);
        InputOptions.AddSettingsTo(command);
        command.Add(Kubeconfig);
        command.Add(Namespace);
        command.Add(Url);
        command.Add(Method);
        command.Add(Headers);
        command.Add(Output);
        command.SetAction(parseResult =>
        {
            ExplainRequest request;
            OutputFormat format;
            try
            {
                request = ExplainRequest.Parse(parseResult.GetRequiredValue(Url), parseResult.GetValue(Method), parseResult.GetValue(Headers));
                format = ParseFormat(parseResult.GetValue(Output), OutputFormat.Text, OutputFormat.Json);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine("portico: " + e.Message);
                return ExitCodes.Unusable;
            }

            try
            {
                var result = Read(parseResult);
                foreach (var diagnostic in result.Diagnostics)
                {
                    Console.Error.WriteLine(diagnostic);
                }

                var explanation = RequestExplainer.Explain(result.Model, request);
                Console.Out.Write(format == OutputFormat.Json ? Json(explanation) : ExplanationText.Format(request, explanation));
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is ArgumentException or ManifestException or OptionsException or TemplateException or IOException or UnauthorizedAccessException or KubeConfigException)
            {
                Console.Error.WriteLine("portico: " + e.Message);
                return ExitCodes.Unusable;
            }
        });
        return command;
    }

    /// <summary>Manifests, or the cluster read once; then the same pipeline as render under the same settings.</summary>
    private static OfflineResult Read(ParseResult parseResult)
    {
        string[] manifests = parseResult.GetValue(Manifests) ?? [];
        string? kubeconfig = parseResult.GetValue(Kubeconfig);
        if ((manifests.Length == 0) == (kubeconfig is null))
        {
            throw new ArgumentException("give either --manifests or --kubeconfig");
        }

        var options = InputOptions.Resolve(parseResult);
        var renderer = options.Proxy.CreateRenderer(options.TemplatesDirectory);
        ManifestSet set;
        if (kubeconfig is null)
        {
            set = ManifestReader.Read(manifests);
        }
        else
        {
            using var client = new Kubernetes(KubeconfigFile.Load(kubeconfig));
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            set = ClusterReader.ReadAsync(client, KindRegistry.Default, parseResult.GetValue(Namespace), timeout.Token).GetAwaiter().GetResult();
        }

        return OfflinePipeline.Render(set, options.Build, options.ProxySettings, renderer);
    }

    /// <summary>Indented, and readable: the relaxed encoder leaves quotes and non-ASCII as they are (the output is not embedded in HTML).</summary>
    public static string Json(Explanation explanation)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            ExplanationJson.Write(json, explanation);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>The --output value among <paramref name="allowed"/>; the first is the default. Throws ArgumentException naming the choices.</summary>
    public static OutputFormat ParseFormat(string? value, params OutputFormat[] allowed)
    {
        if (value is null)
        {
            return allowed[0];
        }

        foreach (var format in allowed)
        {
            if (string.Equals(value, format.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                return format;
            }
        }

        throw new ArgumentException($"--output must be one of {string.Join(", ", allowed.Select(f => f.ToString().ToLowerInvariant()))}, not \"{value}\"");
    }
}
