namespace Portico.Syncing;

/// <summary>Ready once the first configuration has been applied (and confirmed); /readyz reads it.</summary>
public sealed class Readiness
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public string? AppliedHash { get; private set; }

    /// <summary>The applied config's hash and live hash ("HASH+LIVEHASH"; see RenderedConfig.Identity).</summary>
    public string? AppliedIdentity { get; private set; }

    public void MarkApplied(string hash, string identity)
    {
        AppliedHash = hash;
        AppliedIdentity = identity;
        _ready = true;
    }
}
