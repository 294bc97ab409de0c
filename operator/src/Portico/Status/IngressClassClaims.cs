using k8s.Models;

namespace Portico.Status;

/// <summary>Reads an Ingress's <see cref="IngressClassClaim"/>.</summary>
internal static class IngressClassClaims
{
    public const string LegacyClassAnnotation = "kubernetes.io/ingress.class";

    public static IngressClassClaim Of(V1Ingress ingress, string className)
    {
        ArgumentNullException.ThrowIfNull(ingress);
        string? named = ingress.Spec?.IngressClassName;
        if (named is null && ingress.Metadata?.Annotations?.TryGetValue(LegacyClassAnnotation, out string? legacy) == true)
        {
            named = legacy;
        }

        return named is null ? IngressClassClaim.Unnamed : named == className ? IngressClassClaim.Ours : IngressClassClaim.Foreign;
    }
}
