namespace Portico.Options;

/// <summary>
/// Portico's settings as read from config/portico.yaml, PORTICO_* environment variables and flags (in that order,
/// later wins). Values stay strings where they have a grammar (addresses, durations, sizes); <see cref="OptionsResolver"/>
/// parses them, and says which key is wrong. The defaults here are the defaults of config/portico.yaml.
/// </summary>
public sealed class PorticoOptions
{
    public string IngressClass { get; set; } = "portico";

    public string ControllerName { get; set; } = Core.Building.BuildOptions.DefaultControllerName;

    public string Proxy { get; set; } = "nginx";

    /// <summary>A directory whose PROXY/ subfolder overrides built-in templates file by file.</summary>
    public string Templates { get; set; } = string.Empty;

    public NginxSection Nginx { get; set; } = new();

    public ListenSection Listen { get; set; } = new();

    public TlsSection Tls { get; set; } = new();

    public BackendsSection Backends { get; set; } = new();

    public ClientsSection Clients { get; set; } = new();

    public WorkersSection Workers { get; set; } = new();

    public LimitsSection Limits { get; set; } = new();

    public RunSection Run { get; set; } = new();

    public StatusSection Status { get; set; } = new();

    public LeaderElectionSection LeaderElection { get; set; } = new();

    public sealed class NginxSection
    {
        /// <summary>Endpoints through the Lua balancer without reloads (ADR 0007); false: upstream blocks, stock nginx.</summary>
        public bool LuaEndpoints { get; set; } = true;

        /// <summary>Where nginx's Lua module lives ("" when built in, as in OpenResty).</summary>
        public string ModulesDirectory { get; set; } = Core.Rendering.ProxySettings.DefaultNginxModulesDirectory;
    }

    public sealed class ListenSection
    {
        public string Http { get; set; } = "0.0.0.0:8080";

        public string Https { get; set; } = "0.0.0.0:8443";

        public string Status { get; set; } = "127.0.0.1:10246";
    }

    public sealed class TlsSection
    {
        /// <summary>namespace/name of a kubernetes.io/tls Secret.</summary>
        public string DefaultCertificate { get; set; } = string.Empty;

        public bool RedirectHttpToHttps { get; set; }

        public int HttpsRedirectPort { get; set; } = 443;
    }

    public sealed class BackendsSection
    {
        public bool AllowLoopbackEndpoints { get; set; }

        public bool EnableExternalName { get; set; }

        public string DnsResolver { get; set; } = string.Empty;

        public int UpstreamKeepaliveConnections { get; set; } = 320;

        public string ConnectTimeout { get; set; } = "5s";

        public string ReadTimeout { get; set; } = "60s";

        public string SendTimeout { get; set; } = "60s";
    }

    public sealed class ClientsSection
    {
        public string KeepaliveTimeout { get; set; } = "75s";

        public string MaxBodySize { get; set; } = "1m";

        public bool TrustForwardedHeaders { get; set; }

        public bool AccessLog { get; set; } = true;
    }

    public sealed class WorkersSection
    {
        /// <summary>0: one per core.</summary>
        public int Processes { get; set; }

        public int Connections { get; set; } = 4096;
    }

    public sealed class LimitsSection
    {
        public int MaxRulesPerIngress { get; set; } = 1000;

        public int MaxPathsPerRule { get; set; } = 1000;
    }

    /// <summary>How `portico run` watches, applies and reports (not used by render/diff/validate).</summary>
    public sealed class RunSection
    {
        /// <summary>Watch only this namespace (Ingresses, Services, EndpointSlices, Secrets); empty: all.</summary>
        public string Namespace { get; set; } = string.Empty;

        /// <summary>The directory shared with the proxy sidecar (the proxy's prefix).</summary>
        public string SharedDirectory { get; set; } = "/etc/portico/shared";

        /// <summary>An nginx binary for `nginx -t` before each swap; empty: no check.</summary>
        public string NginxBinary { get; set; } = string.Empty;

        /// <summary>An Envoy binary (proxy envoy) for `envoy --mode validate` before each swap, and the Envoy local mode runs; empty: no check.</summary>
        public string EnvoyBinary { get; set; } = string.Empty;

        /// <summary>Reload command (argv, space-separated, no shell); empty: SIGHUP to the pid in SHARED/nginx.pid.</summary>
        public string ReloadCommand { get; set; } = string.Empty;

        public string ConfirmTimeout { get; set; } = "60s";

        public string MinReloadInterval { get; set; } = "1s";

        public string Holdoff { get; set; } = "100ms";

        public string MaxHoldoff { get; set; } = "500ms";

        /// <summary>The holdoff of a batch of EndpointSlice changes only (applied as live data, no reload).</summary>
        public string EndpointHoldoff { get; set; } = "20ms";

        /// <summary>Where /healthz, /readyz and /metrics are served.</summary>
        public string HealthListen { get; set; } = "0.0.0.0:10254";

        /// <summary>Console log lines: "json", "plain", or "auto" (plain when stdout is a terminal, JSON otherwise).</summary>
        public string LogFormat { get; set; } = "auto";
    }

    /// <summary>What the leader publishes into status.loadBalancer.ingress of the Ingresses it serves.</summary>
    public sealed class StatusSection
    {
        /// <summary>NAMESPACE/NAME of the Service in front of the proxies; its load-balancer addresses are published.</summary>
        public string PublishService { get; set; } = string.Empty;

        /// <summary>IP addresses or host names to publish instead of a Service's (for a load balancer Kubernetes does not manage).</summary>
        public IList<string> Addresses { get; } = new List<string>();

        /// <summary>How often the leader re-reads the Service and every Ingress's status, to repair what others changed.</summary>
        public string ResyncPeriod { get; set; } = "60s";
    }

    /// <summary>One replica (the holder of a coordination.k8s.io Lease) writes status and Events; every replica renders.</summary>
    public sealed class LeaderElectionSection
    {
        /// <summary>false: this replica always acts as leader (one replica only).</summary>
        public bool Enabled { get; set; } = true;

        public string LeaseName { get; set; } = "portico-leader";

        /// <summary>Empty: the namespace Portico runs in (POD_NAMESPACE, else the service account's).</summary>
        public string LeaseNamespace { get; set; } = string.Empty;

        public string LeaseDuration { get; set; } = "15s";

        public string RenewDeadline { get; set; } = "10s";

        public string RetryPeriod { get; set; } = "2s";
    }
}
