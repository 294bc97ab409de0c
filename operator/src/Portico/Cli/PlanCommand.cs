using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portico.Core.Explaining;
using Portico.Core.Manifests;
using Portico.Core.Model;
using Portico.Core.Offline;
using Portico.Core.Rendering;
using Portico.Options;

namespace Portico.Cli;

/// <summary>
/// `portico plan`: what a change to the manifests does to routing, route by route (`terraform plan` for Ingresses).
/// Both sides are built and rendered in memory under the same settings; --base is paths, or one git revision whose
/// copy of the --manifests paths is read with git. Exit 0 when no route changed, 1 when any did, 2 for unusable input.
/// </summary>
internal static partial class PlanCommand
{
    private static readonly Option<string[]> Base = new("--base")
    {
        Description = "The manifests before the change: files or directories, or one git revision (origin/main) to read the --manifests paths at.",
        Required = true,
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<string> Output = new("--output") { Description = "text (default; colour on a terminal), markdown (a pull-request comment) or json." };

    public static Command Create()
    {
        var command = new Command("plan", "Show the route-level difference the manifests make against a base (paths or a git revision). Exit 0 no route changed, 1 changed, 2 unusable input.");
        InputOptions.AddTo(command);
        command.Add(Base);
        command.Add(Output);
        command.SetAction(parseResult =>
        {
            try
            {
                var format = ExplainCommand.ParseFormat(parseResult.GetValue(Output), OutputFormat.Text, OutputFormat.Markdown, OutputFormat.Json);
                var plan = Plan(parseResult);
                Console.Out.Write(format switch
                {
                    OutputFormat.Json => Json(plan),
                    OutputFormat.Markdown => PlanMarkdown.Format(plan),
                    _ => PlanText.Format(plan, colour: !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null or ""),
                });
                return plan.HasRouteChanges ? ExitCodes.Findings : ExitCodes.Ok;
            }
            catch (Exception e) when (e is ArgumentException or ManifestException or OptionsException or TemplateException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine("portico: " + e.Message);
                return ExitCodes.Unusable;
            }
        });
        return command;
    }

    public static string Json(RoutePlan plan)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            PlanJson.Write(json, plan);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static RoutePlan Plan(ParseResult parseResult)
    {
        var options = InputOptions.Resolve(parseResult);
        var renderer = options.Proxy.CreateRenderer(options.TemplatesDirectory);
        string[] manifests = parseResult.GetRequiredValue(InputOptions.Manifests);
        string[] basePaths = parseResult.GetRequiredValue(Base);
        var head = OfflinePipeline.Render(manifests, options.Build, options.ProxySettings, renderer);
        OfflineResult before;
        if (basePaths.Length == 1 && !File.Exists(basePaths[0]) && !Directory.Exists(basePaths[0]))
        {
            using var revision = GitRevisionManifests.Read(basePaths[0], manifests);
            var set = revision.Paths.Count == 0 ? new ManifestSet([], []) : ManifestReader.Read(revision.Paths);
            before = OfflinePipeline.Render(set, options.Build, options.ProxySettings, renderer);
        }
        else
        {
            before = OfflinePipeline.Render(basePaths, options.Build, options.ProxySettings, renderer);
        }

        return RoutePlanner.Plan(before.Model, WithoutLocations(before.Diagnostics), head.Model, WithoutLocations(head.Diagnostics));
    }

    /// <summary>
    /// Reading diagnostics name "(FILE:LINE)"; the two sides are read from different places (a revision from a
    /// temporary copy) and a moved document is not a new finding, so the location is left out of the comparison.
    /// </summary>
    private static IEnumerable<Diagnostic> WithoutLocations(IEnumerable<Diagnostic> diagnostics) =>
        diagnostics.Select(d => d with { Message = FileLocation().Replace(d.Message, string.Empty) });

    [GeneratedRegex(@" \([^()\n]*:[0-9]+\)")]
    private static partial Regex FileLocation();
}
