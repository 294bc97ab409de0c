namespace Portico.Core.Model.Policies;

/// <summary>Headers to add (appended to any the message has), set (replacing) and remove, by validated name.</summary>
public sealed record HeaderMutation(EquatableArray<HeaderEntry> Add, EquatableArray<HeaderEntry> Set, EquatableArray<string> Remove);
