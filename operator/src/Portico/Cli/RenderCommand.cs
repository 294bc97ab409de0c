using System.CommandLine;
using Portico.Core.Offline;

namespace Portico.Cli;

/// <summary>`portico render`: manifests to proxy config files in a directory.</summary>
internal static class RenderCommand
{
    private static readonly Option<string> Out = new("--out", "-o") { Description = "Directory to write the rendered files into.", Required = true };

    public static Command Create()
    {
        var command = new Command("render", "Render manifests into proxy configuration files, offline and deterministically.");
        InputOptions.AddTo(command);
        command.Add(Out);
        command.SetAction(parseResult => OfflineCommandRunner.Run(parseResult, Console.Error, (_, result) =>
        {
            string directory = parseResult.GetRequiredValue(Out);
            OutputDirectory.Write(directory, result.Config);
            Console.WriteLine($"rendered {result.Config.Files.Length} files into {directory}: {OfflineCommandRunner.Summary(result)}");
            return OfflineCommandRunner.StrictFails(parseResult, result) ? ExitCodes.Findings : ExitCodes.Ok;
        }));
        return command;
    }
}
