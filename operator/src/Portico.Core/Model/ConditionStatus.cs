namespace Portico.Core.Model;

/// <summary>A condition's status, as Kubernetes spells it (metav1.ConditionStatus).</summary>
public enum ConditionStatus
{
    True,
    False,
    Unknown,
}
