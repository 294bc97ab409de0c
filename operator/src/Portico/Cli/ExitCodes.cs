namespace Portico.Cli;

/// <summary>What `portico` exits with.</summary>
internal static class ExitCodes
{
    /// <summary>Done; nothing to report (render, validate) or no difference (diff).</summary>
    public const int Ok = 0;

    /// <summary>Done, with findings: diagnostics under --strict, rejected objects (validate), differences (diff).</summary>
    public const int Findings = 1;

    /// <summary>Could not do it: unusable input (YAML that does not parse), bad options, broken templates.</summary>
    public const int Unusable = 2;
}
