using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.Core.Model;

namespace Portico.Core.Building;

/// <summary>
/// Decides which Ingresses are ours. <c>spec.ingressClassName</c> must name our class; without it, the legacy
/// <c>kubernetes.io/ingress.class</c> annotation must; without either, our IngressClass must be the default class.
/// If an IngressClass of our name exists but belongs to another controller, nothing of that class is ours.
/// An IngressClass need not exist for a named class (offline manifests rarely carry one).
/// </summary>
internal sealed class IngressClassSelector
{
    public const string LegacyClassAnnotation = "kubernetes.io/ingress.class";
    public const string DefaultClassAnnotation = "ingressclass.kubernetes.io/is-default-class";

    private readonly string _className;
    private readonly bool _classTakenByOther;
    private readonly bool _isDefaultClass;

    public IngressClassSelector(ClusterSnapshot snapshot, BuildOptions options, DiagnosticBag diagnostics)
    {
        _className = options.IngressClassName;
        if (snapshot.IngressClasses.TryGetValue(new NamespacedName(string.Empty, _className), out var ownClass))
        {
            string? controller = ownClass.Spec?.Controller;
            _classTakenByOther = controller != options.ControllerName;
            if (_classTakenByOther)
            {
                diagnostics.Warning(
                    ObjectRef.ClusterScoped(KnownKinds.IngressClass, _className),
                    "spec.controller",
                    $"is {Printable.Quote(controller)}, not \"{options.ControllerName}\"; Ingresses of class \"{_className}\" are left to that controller");
            }

            _isDefaultClass = !_classTakenByOther
                && ownClass.Metadata.Annotations?.TryGetValue(DefaultClassAnnotation, out string? isDefault) == true
                && isDefault == "true";
        }
    }

    public bool IsOurs(V1Ingress ingress)
    {
        if (_classTakenByOther)
        {
            return false;
        }

        if (ingress.Spec?.IngressClassName is { } className)
        {
            return className == _className;
        }

        if (ingress.Metadata.Annotations?.TryGetValue(LegacyClassAnnotation, out string? legacy) == true)
        {
            return legacy == _className;
        }

        return _isDefaultClass;
    }
}
