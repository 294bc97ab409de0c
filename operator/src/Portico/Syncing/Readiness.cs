namespace Portico.Syncing;

/// <summary>Ready once the first configuration has been applied (and confirmed); /readyz reads it.</summary>
public sealed class Readiness
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    /// <summary>The applied config's files hash: the part of <see cref="AppliedIdentity"/> before any '+'.</summary>
    public string? AppliedHash => AppliedIdentity?.Split('+')[0];

    /// <summary>The applied config's hash and live hash ("HASH+LIVEHASH"; see RenderedConfig.Identity).</summary>
    public string? AppliedIdentity { get; private set; }

    public void MarkApplied(string identity)
    {
        AppliedIdentity = identity;
        _ready = true;
    }
}
