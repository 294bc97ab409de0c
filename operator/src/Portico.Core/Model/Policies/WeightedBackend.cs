namespace Portico.Core.Model.Policies;

/// <summary>One backend of a traffic split and its relative weight.</summary>
public sealed record WeightedBackend(ServicePort Service, int Weight);
