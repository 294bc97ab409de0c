using System.CommandLine;
using Portico.Core.Manifests;
using Portico.Core.Model;
using Portico.Core.Offline;
using Portico.Core.Rendering;
using Portico.Core.Timing;
using Portico.Options;

namespace Portico.Cli;

/// <summary>The part render, diff and validate share: resolve options, read manifests, build, render; report diagnostics; map failures to exit 2.</summary>
internal static class OfflineCommandRunner
{
    public static int Run(ParseResult parseResult, TextWriter diagnosticsOut, Func<ResolvedOptions, OfflineResult, int> then, StageTimings? timings = null)
    {
        try
        {
            timings?.Restart();
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            var options = InputOptions.Resolve(parseResult);
            var renderer = options.Proxy.CreateRenderer(options.TemplatesDirectory);
            timings?.Add("setup", System.Diagnostics.Stopwatch.GetElapsedTime(start));
            var result = OfflinePipeline.Render(parseResult.GetRequiredValue(InputOptions.Manifests), options.Build, options.ProxySettings, renderer, timings);
            foreach (var diagnostic in result.Diagnostics)
            {
                diagnosticsOut.WriteLine(diagnostic);
            }

            return then(options, result);
        }
        catch (Exception e) when (e is ManifestException or OptionsException or TemplateException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("portico: " + e.Message);
            return ExitCodes.Unusable;
        }
    }

    public static string Summary(OfflineResult result)
    {
        int errors = result.Diagnostics.Count(d => d.Severity == Severity.Error);
        int warnings = result.Diagnostics.Length - errors;
        var model = result.Model;
        return $"{model.ServedIngresses.Length} Ingresses served, {model.VirtualHosts.Length - 1} hosts, {model.Upstreams.Length} upstreams, "
            + $"{model.Certificates.Length} certificates; {errors} errors, {warnings} warnings; config {result.Config.Hash[..12]}";
    }

    public static bool StrictFails(ParseResult parseResult, OfflineResult result) =>
        parseResult.GetValue(InputOptions.Strict) && result.Diagnostics.Length > 0;
}
