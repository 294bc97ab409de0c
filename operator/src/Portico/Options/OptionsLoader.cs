using Microsoft.Extensions.Configuration;
using Portico.Core.Manifests;

namespace Portico.Options;

/// <summary>
/// Reads <see cref="PorticoOptions"/> from a YAML config file (optional), PORTICO_* environment variables
/// ("PORTICO_LISTEN__HTTP") and flag overrides (keys like "listen:http"), later sources winning. Unknown keys are
/// errors, so a typo in a config file is reported rather than silently ignored.
/// </summary>
public static partial class OptionsLoader
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
            builder.AddInMemoryCollection(SettingsFromEnvironment());
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

    /// <summary>
    /// PORTICO_* variables as keys ("PORTICO_LISTEN__HTTP" -> "listen:http"), except the ones Kubernetes injects for
    /// Services whose names start with "portico" (PORTICO_SERVICE_HOST, PORTICO_PORT_80_TCP, ...): those are not
    /// settings, and reading them would make any such Service in the namespace stop the operator at start.
    /// </summary>
    private static Dictionary<string, string?> SettingsFromEnvironment()
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            string name = (string)variable.Key;
            if (name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && !ServiceLinkVariable().IsMatch(name))
            {
                settings[name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal)] = (string?)variable.Value;
            }
        }

        return settings;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\A[A-Z0-9_]*?_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_[0-9]+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)?)\z")]
    private static partial System.Text.RegularExpressions.Regex ServiceLinkVariable();

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
