using Portico.Core.Model;
using Portico.Core.Model.Policies;

namespace Portico.Core.Building.Policies;

/// <summary>
/// What an Ingress's ingress-nginx annotations amount to: the policy they set (null when none), the routing facts
/// outside <see cref="PolicySpec"/>, the reasons the Ingress must deny every request (access control that was refused
/// or cannot be honoured: never served openly), and the diagnostics, sorted, each naming its annotation as the field.
/// </summary>
public sealed record IngressNginxAnnotationResult(
    PolicySpec? Policy,
    IngressNginxRouting Routing,
    EquatableArray<string> DenyReasons,
    EquatableArray<Diagnostic> Diagnostics)
{
    /// <summary>True when the Ingress's routes must answer 403 instead of proxying, whatever else the annotations say.</summary>
    public bool AccessDenied => !DenyReasons.IsEmpty;
}
