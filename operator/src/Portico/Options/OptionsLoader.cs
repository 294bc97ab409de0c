using Microsoft.Extensions.Configuration;
using Portico.Core.Offline;

namespace Portico.Options;

/// <summary>
/// Reads <see cref="PorticoOptions"/> from a YAML config file (optional), PORTICO_* environment variables
/// ("PORTICO_LISTEN__HTTP") and flag overrides (keys like "listen:http"), later sources winning. Unknown keys are
/// errors, so a typo in a config file is reported rather than silently ignored.
/// </summary>
public static class OptionsLoader
{
    public const string EnvironmentPrefix = "PORTICO_";

    public static PorticoOptions Load(string? configFile, IReadOnlyDictionary<string, string?> overrides, bool readEnvironment = true)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var builder = new ConfigurationBuilder();
        if (!string.IsNullOrEmpty(configFile))
        {
            builder.AddJsonStream(new MemoryStream(ConfigFileAsJson(configFile)));
        }

        if (readEnvironment)
        {
            builder.AddEnvironmentVariables(EnvironmentPrefix);
        }

        builder.AddInMemoryCollection(overrides.Where(o => o.Value is not null));
        try
        {
            return builder.Build().Get<PorticoOptions>(o => o.ErrorOnUnknownConfiguration = true) ?? new PorticoOptions();
        }
        catch (InvalidOperationException e)
        {
            throw new OptionsException("invalid settings: " + (e.InnerException?.Message ?? e.Message));
        }
    }

    /// <summary>The config file is YAML; the configuration system reads JSON, so it goes through Portico's own converter.</summary>
    private static byte[] ConfigFileAsJson(string configFile)
    {
        if (!File.Exists(configFile))
        {
            throw new OptionsException($"config file {configFile} does not exist");
        }

        try
        {
            var documents = YamlJson.ToJsonDocuments(configFile, File.ReadAllText(configFile));
            return documents.Count switch
            {
                0 => "{}"u8.ToArray(),
                1 => documents[0],
                _ => throw new OptionsException($"config file {configFile} must hold one YAML document"),
            };
        }
        catch (ManifestException e)
        {
            throw new OptionsException(e.Message);
        }
    }
}
