using System.CommandLine;

namespace Portico.Cli;

/// <summary>The `portico` command line.</summary>
public static class PorticoCli
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Portico: a Kubernetes Ingress controller that renders and safely reloads proxy configuration.")
        {
            RenderCommand.Create(),
            DiffCommand.Create(),
            ValidateCommand.Create(),
            PlanCommand.Create(),
            ExplainCommand.Create(),
            RunCommand.Create(),
            BootstrapCommand.Create(),
        };
        return root;
    }

    /// <summary>Parses and runs; a usage error exits 2 (unusable input), like every other failure to start.</summary>
    public static int Run(string[] args)
    {
        var parseResult = Create().Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                Console.Error.WriteLine("portico: " + error.Message);
            }

            Console.Error.WriteLine("Try 'portico --help'.");
            return ExitCodes.Unusable;
        }

        return parseResult.Invoke();
    }
}
