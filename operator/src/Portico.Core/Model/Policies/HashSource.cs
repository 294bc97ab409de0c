namespace Portico.Core.Model.Policies;

/// <summary>What a request hash is computed from: a header (by validated name), a cookie, or the client address (both names null).</summary>
public sealed record HashSource(string? Header, string? Cookie)
{
    public bool SourceAddress => Header is null && Cookie is null;
}
