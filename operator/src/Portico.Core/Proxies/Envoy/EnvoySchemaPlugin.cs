using System.Reflection;
using System.Runtime.Loader;
using Portico.Core.Rendering;

namespace Portico.Core.Proxies.Envoy;

/// <summary>
/// Finds Envoy's optional schema check at run time: Portico.Envoy.Schema, which needs
/// Envoy's protos (fetched with npm) to build; `portico` does not reference it, so the executable builds and runs
/// without it. It is used when it can be loaded: from the application's own dependencies (a host that references it,
/// such as the tests), else from the folder envoy-schema/ beside the executable, where building the schema project
/// puts it (docs/adr/0005-envoy-schema-check-seam.md).
/// </summary>
public static class EnvoySchemaPlugin
{
    public const string EnvoyAssembly = "Portico.Envoy.Schema";
    public const string EnvoyType = "Portico.Envoy.Schema.EnvoySchemaValidator";
    public const string PluginDirectory = "envoy-schema";

    /// <summary>The schema check, or null when it is not installed.</summary>
    public static IConfigSchemaValidator? Find(string? baseDirectory = null)
    {
        var assembly = IsApplicationDependency(EnvoyAssembly) ? Assembly.Load(new AssemblyName(EnvoyAssembly)) : LoadPlugin(Path.Combine(baseDirectory ?? AppContext.BaseDirectory, PluginDirectory));
        return assembly?.GetType(EnvoyType) is { } type && Activator.CreateInstance(type) is IConfigSchemaValidator validator ? validator : null;
    }

    /// <summary>Where the Envoy schema check is looked for beside the executable, for messages.</summary>
    public static string PluginPath(string? baseDirectory = null) => Path.Combine(baseDirectory ?? AppContext.BaseDirectory, PluginDirectory, EnvoyAssembly + ".dll");

    /// <summary>Loads the check from a plugin folder in its own load context; the host's assemblies (Portico.Core) stay shared.</summary>
    internal static Assembly? LoadPlugin(string directory)
    {
        string path = Path.Combine(directory, EnvoyAssembly + ".dll");
        if (!File.Exists(path))
        {
            return null;
        }

        var context = new PluginLoadContext(directory);
        return context.LoadFromAssemblyPath(Path.GetFullPath(path));
    }

    private static bool IsApplicationDependency(string name) =>
        AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string list
        && list.Split(Path.PathSeparator).Any(p => string.Equals(Path.GetFileNameWithoutExtension(p), name, StringComparison.Ordinal));

    /// <summary>Resolves the plugin's own dependencies from its folder, and everything the host already has from the host.</summary>
    private sealed class PluginLoadContext(string directory) : AssemblyLoadContext(isCollectible: false)
    {
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (assemblyName.Name is null || IsApplicationDependency(assemblyName.Name))
            {
                return null;
            }

            string candidate = Path.Combine(directory, assemblyName.Name + ".dll");
            return File.Exists(candidate) ? LoadFromAssemblyPath(Path.GetFullPath(candidate)) : null;
        }
    }
}
