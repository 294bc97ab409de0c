using System.CommandLine;
using Portico.Core.Output;

namespace Portico.Cli;

/// <summary>`portico diff`: what rendering the manifests would change in a committed directory. What a CI job runs.</summary>
internal static class DiffCommand
{
    private static readonly Option<string> Against = new("--against") { Description = "Directory with the committed rendered files.", Required = true };

    public static Command Create()
    {
        var command = new Command("diff", "Show a unified diff of what would be rendered against a directory. Exit 0 equal, 1 different, 2 error.");
        InputOptions.AddTo(command);
        command.Add(Against);
        command.SetAction(parseResult => OfflineCommandRunner.Run(parseResult, Console.Error, (_, result) =>
        {
            string diff = ConfigDiff.Between(parseResult.GetRequiredValue(Against), result.Config);
            Console.Write(diff);
            bool differs = diff.Length > 0;
            return differs || OfflineCommandRunner.StrictFails(parseResult, result) ? ExitCodes.Findings : ExitCodes.Ok;
        }));
        return command;
    }
}
