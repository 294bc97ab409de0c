using System.CommandLine;
using Portico.Core.Applying;
using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Rendering;
using Portico.Options;

namespace Portico.Cli;

/// <summary>
/// `portico bootstrap`: writes the configuration of an empty cluster into the shared directory, staged and activated
/// exactly as the operator's applier does (<c>versions/&lt;hash&gt;/</c>, then <c>current</c>), so the proxy sidecar
/// starts on a valid configuration before the operator's first render. Run as an init container with the operator's
/// settings: the files are what `portico run` would render for a cluster without Ingresses, so an operator that then
/// finds an empty cluster sees its configuration already served and reloads nothing. A directory whose
/// <c>current</c> already points at a version (a restarted pod keeps its emptyDir) is left as it is.
/// </summary>
internal static class BootstrapCommand
{
    private static readonly Option<string> SharedDirectory = new("--shared-dir") { Description = "Directory shared with the proxy (default /etc/portico/shared)." };

    /// <summary>`bootstrap`'s own flag and the config key it sets (docs/configuration.md is checked against this).</summary>
    internal static readonly (Option Option, string Key)[] Mapped = [(SharedDirectory, "run:sharedDirectory")];

    public static Command Create()
    {
        var command = new Command("bootstrap", "Write an empty cluster's proxy configuration into the shared directory (init container), unless one is there.");
        command.Add(SharedDirectory);
        InputOptions.AddSettingsTo(command);
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult parseResult)
    {
        ResolvedOptions options;
        string root;
        try
        {
            var loaded = InputOptions.Load(parseResult, Mapped);
            options = OptionsResolver.Resolve(loaded);
            root = OptionsResolver.ResolveRun(loaded).SharedDirectory;
        }
        catch (OptionsException e)
        {
            Console.Error.WriteLine("portico: " + e.Message);
            return ExitCodes.Unusable;
        }

        var directory = new VersionedConfigDirectory(root);
        if (directory.ActiveVersion is { } active && Directory.Exists(directory.VersionDirectory(active)))
        {
            Console.WriteLine($"{directory.CurrentLink} already points at version {active}; left as it is");
            return ExitCodes.Ok;
        }

        RenderedConfig config;
        try
        {
            var model = ModelBuilder.Build(KindRegistry.Default.Empty, options.Build);
            config = options.Proxy.CreateRenderer(options.TemplatesDirectory).Render(model, options.ProxySettings);
        }
        catch (Exception e) when (e is TemplateException or IOException)
        {
            Console.Error.WriteLine("portico: rendering the bootstrap configuration failed: " + e.Message);
            return ExitCodes.Unusable;
        }

        try
        {
            Directory.CreateDirectory(directory.Root);
            string version = directory.Stage(config);
            directory.PublishLive(config);
            directory.Activate(version);
            Console.WriteLine($"bootstrapped {directory.CurrentLink} -> versions/{version} ({config.AllFiles.Count()} files, config hash {config.Hash})");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"portico: writing into {directory.Root} failed: {e.Message}");
            return ExitCodes.Findings;
        }
    }
}
