namespace Portico.Core.Model.Policies;

/// <summary>A Service (validated name) in the policy's namespace and a port number.</summary>
public sealed record ServicePort(string Name, int Port);
