using System.CommandLine;
using Portico.Core.Model;
using Portico.Core.Proxies;

namespace Portico.Cli;

/// <summary>
/// `portico validate`: diagnostics, then the proxy's schema check over the rendered files where it is installed (for
/// Envoy: Portico.Envoy.Schema beside the executable). Exit 1 when any object or field is rejected (any diagnostic with
/// --strict) or a rendered file fails the schema check.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var command = new Command("validate", "Check manifests and print diagnostics, then check the rendered files against the proxy's schema where that check is installed (envoy); exit 1 when any object is rejected or a file fails.");
        InputOptions.AddTo(command);
        command.SetAction(parseResult => OfflineCommandRunner.Run(parseResult, Console.Out, (options, result) =>
        {
            Console.Error.WriteLine(OfflineCommandRunner.Summary(result));
            bool rejected = result.Diagnostics.Any(d => d.Severity == Severity.Error);
            bool schemaFails = !CheckSchema(options.Proxy, result.Config);
            return rejected || schemaFails || OfflineCommandRunner.StrictFails(parseResult, result) ? ExitCodes.Findings : ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Runs the proxy's schema check when there is one; false when a file fails it.</summary>
    internal static bool CheckSchema(ProxyKind proxy, Core.Rendering.RenderedConfig config)
    {
        var validator = proxy.FindSchemaCheck();
        if (validator is null)
        {
            if (proxy.SchemaCheckMissingNote() is { } note)
            {
                Console.Error.WriteLine("note: " + note);
            }

            return true;
        }

        var problems = validator.Validate(config);
        foreach (string problem in problems)
        {
            Console.Out.WriteLine($"error: {proxy} schema: {Printable.Escape(problem)}");
        }

        Console.Error.WriteLine(problems.Count == 0 ? $"schema check passed: {validator.Description}" : $"schema check failed: {problems.Count} problems");
        return problems.Count == 0;
    }
}
