using Portico.Core.Kubernetes;

namespace Portico.Core.Building;

/// <summary>What the model builder needs to know beyond the cluster snapshot.</summary>
public sealed record BuildOptions
{
    public const string DefaultControllerName = "portico.dev/ingress-controller";

    /// <summary>The IngressClass name this Portico serves.</summary>
    public string IngressClassName { get; init; } = "portico";

    /// <summary>The <c>spec.controller</c> value an IngressClass must carry to be ours.</summary>
    public string ControllerName { get; init; } = DefaultControllerName;

    /// <summary>Accept endpoints on loopback, link-local or unspecified addresses (local development and tests only).</summary>
    public bool AllowLoopbackEndpoints { get; init; }

    /// <summary>Serve Services of type ExternalName (off: they answer 503 with a diagnostic).</summary>
    public bool EnableExternalNameServices { get; init; }

    /// <summary>The Secret (type kubernetes.io/tls) served when no host matches the SNI, or when a host's own Secret is unusable.</summary>
    public NamespacedName? DefaultCertificate { get; init; }

    /// <summary>Answer plain-HTTP requests for hosts served with TLS with a 308 to HTTPS.</summary>
    public bool RedirectHttpToHttps { get; init; }

    /// <summary>The port clients reach HTTPS on (the Service port, not the container port); 443 is left out of URLs.</summary>
    public int HttpsRedirectPort { get; init; } = 443;

    public BuildLimits Limits { get; init; } = new();
}
