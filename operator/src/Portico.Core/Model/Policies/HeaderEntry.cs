namespace Portico.Core.Model.Policies;

/// <summary>One header to add or set: a validated, lowercase name and a printable-ASCII value.</summary>
public sealed record HeaderEntry(string Name, string Value);
