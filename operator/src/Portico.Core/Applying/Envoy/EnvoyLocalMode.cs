using System.Diagnostics;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Envoy;

namespace Portico.Core.Applying.Envoy;

/// <summary>
/// How Portico drives an Envoy beside it (the sidecar, or local mode with an Envoy on this machine): Envoy runs in
/// the shared root with <c>-c current/envoy.json</c> and watches that root; the applier stages each configuration
/// into <c>versions/&lt;hash16&gt;/</c>, optionally checks it (schema check, <c>envoy --mode validate</c>), swaps
/// <c>current</c> (which is the reload: nothing is signalled) and confirms through the admin API
/// (<see cref="EnvoyAdminProbe"/>), rolling <c>current</c> back when Envoy does not take the new version in time.
/// The composition root (the `portico run` verb) builds it from here.
/// </summary>
public static class EnvoyLocalMode
{
    /// <summary>The applier for the Envoy whose shared root is <paramref name="directory"/>.</summary>
    public static SwappingConfigApplier CreateApplier(
        VersionedConfigDirectory directory,
        EnvoyAdminProbe probe,
        IConfigValidator? validator,
        ApplierOptions options,
        TimeProvider time) =>
        new(directory, validator, NoReloadTrigger.Instance, probe, options, time);

    /// <summary>
    /// Puts a first configuration in place for an Envoy that is not running yet (it cannot start without
    /// <c>current/envoy.json</c>): staged and activated without confirmation, only when nothing is active. Then start
    /// Envoy (<see cref="StartInfo"/>) and apply the same configuration: the applier finds it served, or swaps to it
    /// once more and confirms. Returns false when a version was already active (a restart: Envoy can start on it).
    /// </summary>
    public static bool ActivateInitial(VersionedConfigDirectory directory, RenderedConfig config)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (directory.ActiveVersion is not null)
        {
            return false;
        }

        directory.Activate(directory.Stage(config));
        return true;
    }

    /// <summary>
    /// The checks to run on a staged version, in order, stopping at the first that refuses: the schema check when it is
    /// installed (<paramref name="schema"/>), then <c>envoy --mode validate</c> when an Envoy binary is given. Null when
    /// there is neither.
    /// </summary>
    public static IConfigValidator? Validator(IConfigSchemaValidator? schema, string? envoyBinary, TimeSpan timeout)
    {
        var validators = new List<IConfigValidator>();
        if (schema is not null)
        {
            validators.Add(new SchemaConfigValidator(schema));
        }

        if (!string.IsNullOrEmpty(envoyBinary))
        {
            validators.Add(new EnvoyCommandValidator(envoyBinary, timeout));
        }

        return validators.Count switch
        {
            0 => null,
            1 => validators[0],
            _ => new ChainedConfigValidator(validators),
        };
    }

    /// <summary>
    /// How to start Envoy on the shared root: working directory <paramref name="root"/>, <c>-c current/envoy.json</c>
    /// (the bootstrap is read once; a bootstrap change needs a restart), no hot restart (one Envoy per root). Output
    /// is inherited; a caller that redirects it must read it.
    /// </summary>
    public static ProcessStartInfo StartInfo(string envoyBinary, string root, string logLevel = "warn")
    {
        var start = new ProcessStartInfo(envoyBinary)
        {
            WorkingDirectory = root,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "-c", EnvoyRenderer.ReadPath(EnvoyRenderer.BootstrapFile), "--disable-hot-restart", "--log-level", logLevel })
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>Runs validators in order; the first refusal is the answer.</summary>
    private sealed class ChainedConfigValidator(IReadOnlyList<IConfigValidator> validators) : IConfigValidator
    {
        public async Task<string?> ValidateAsync(string versionDirectory, CancellationToken cancellationToken)
        {
            foreach (var validator in validators)
            {
                if (await validator.ValidateAsync(versionDirectory, cancellationToken) is { } problem)
                {
                    return problem;
                }
            }

            return null;
        }
    }
}
