using System.CommandLine;
using Portico.Core.Model;

namespace Portico.Cli;

/// <summary>`portico validate`: diagnostics only. Exit 1 when any object or field is rejected (any diagnostic with --strict).</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var command = new Command("validate", "Check manifests and print diagnostics; exit 1 when any object is rejected.");
        InputOptions.AddTo(command);
        command.SetAction(parseResult => OfflineCommandRunner.Run(parseResult, Console.Out, (_, result) =>
        {
            Console.Error.WriteLine(OfflineCommandRunner.Summary(result));
            bool rejected = result.Diagnostics.Any(d => d.Severity == Severity.Error);
            return rejected || OfflineCommandRunner.StrictFails(parseResult, result) ? ExitCodes.Findings : ExitCodes.Ok;
        }));
        return command;
    }
}
