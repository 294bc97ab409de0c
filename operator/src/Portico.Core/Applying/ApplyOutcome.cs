namespace Portico.Core.Applying;

/// <summary>What became of one attempt to apply a configuration.</summary>
public enum ApplyOutcome
{
    /// <summary>The proxy runs the new configuration (confirmed by its hash).</summary>
    Applied,

    /// <summary>The proxy refused the configuration when validating it; the running one was never touched.</summary>
    Invalid,

    /// <summary>The reload was not confirmed in time; the previous files were restored.</summary>
    RolledBack,

    /// <summary>Something else failed (I/O, the proxy is not running); the running configuration is unchanged.</summary>
    Failed,
}
