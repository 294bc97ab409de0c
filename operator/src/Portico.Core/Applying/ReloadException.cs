namespace Portico.Core.Applying;

/// <summary>The proxy could not be asked to reload (the signal or command failed).</summary>
public sealed class ReloadException(string message) : Exception(message);
