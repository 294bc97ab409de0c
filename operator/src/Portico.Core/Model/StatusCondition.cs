namespace Portico.Core.Model;

/// <summary>
/// One desired condition (metav1.Condition without lastTransitionTime: that belongs to the writer, which keeps the
/// stored one while the status stays the same). Reason is CamelCase; ObservedGeneration is the metadata.generation
/// the condition was computed from.
/// </summary>
public sealed record StatusCondition(string Type, ConditionStatus Status, string Reason, string Message, long? ObservedGeneration);
