using System.Text.RegularExpressions;
using k8s.Models;
using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Proxies;
using Portico.Options;
using Portico.TestSupport;

namespace Portico.Tests.Deploy;

/// <summary>
/// What the manifests, the settings they carry, the operator and the images must agree on, for the base and every
/// overlay: the shared directory (volume mounts, run.sharedDirectory, the proxy's prefix or working directory), the
/// ports (containers, listen settings, Services, probes), the probes' paths (what the operator and the rendered
/// status server serve), the user (Dockerfiles' USER, runAsUser, fsGroup) and the command lines.
/// </summary>
[TestFixtureSource(typeof(Kustomize), nameof(Kustomize.Variants))]
public sealed partial class DeployConsistencyTests(string variant)
{
    private DeployObjects _objects = null!;
    private PorticoOptions _settings = null!;
    private ResolvedOptions _resolved = null!;

    [OneTimeSetUp]
    public void Build()
    {
        _objects = DeployObjects.Load(variant);
        _settings = DeploySettings.Load(_objects);
        _resolved = OptionsResolver.Resolve(_settings);
    }

    private string Shared => _settings.Run.SharedDirectory;

    [Test]
    public void The_operator_the_bootstrap_and_the_proxy_share_the_directory_the_settings_name()
    {
        foreach (var container in new[] { _objects.Operator, _objects.Bootstrap, _objects.Proxy })
        {
            Assert.That(container.VolumeMounts.Single(m => m.Name == "shared").MountPath, Is.EqualTo(Shared), container.Name);
        }

        Assert.That(_objects.Pod.Volumes.Single(v => v.Name == "shared").EmptyDir, Is.Not.Null);
        Assert.That(_objects.Pod.ShareProcessNamespace, Is.True, "the operator signals the nginx master");
        Assert.That(_objects.Proxy.Name, Is.EqualTo(_resolved.Proxy.Name), "the sidecar is the proxy the settings choose");
        string[] command = [.. _objects.Proxy.Command, .. _objects.Proxy.Args];
        if (_resolved.Proxy == ProxyKind.Nginx)
        {
            // As NginxProxy starts nginx in local mode: prefix the shared directory, configuration through `current`.
            Assert.That(command, Is.EqualTo(new[] { "nginx", "-p", Shared + "/", "-c", "current/nginx.conf", "-e", "stderr", "-g", "daemon off;" }));
        }
        else
        {
            Assert.That(_objects.Proxy.WorkingDir, Is.EqualTo(Shared), "Envoy's bootstrap paths are relative to the shared root");
            Assert.That(command.Take(3), Is.EqualTo(new[] { "envoy", "-c", "current/envoy.json" }));
        }
    }

    [Test]
    public void The_bootstrap_container_writes_a_configuration_the_sidecar_starts_on_with_these_settings()
    {
        string work = Path.Combine(Path.GetTempPath(), $"portico-deploy-bootstrap-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            string config = Path.Combine(work, "portico.yaml");
            File.WriteAllText(config, DeploySettings.Yaml(_objects));
            string shared = Path.Combine(work, "shared");

            // The init container's arguments, with the shared directory moved to a temporary one.
            var run = Cli.PorticoProcess.Run([.. _objects.Bootstrap.Args.Select(a => a == DeploySettings.ConfigMountPath + "/portico.yaml" ? config : a), "--shared-dir", shared]);
            Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
            if (_resolved.Proxy != ProxyKind.Nginx)
            {
                Assert.That(File.Exists(Path.Combine(shared, "current", "envoy.json")), Is.True);
                return;
            }

            // The sidecar's own command line, as `nginx -t`, on that directory.
            string[] command = [.. _objects.Proxy.Command.Skip(1), .. _objects.Proxy.Args];
            command[Array.IndexOf(command, "-p") + 1] = shared + "/";
            var start = new System.Diagnostics.ProcessStartInfo(TestSupport.Nginx.NginxProcess.Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-t");
            foreach (string argument in command)
            {
                start.ArgumentList.Add(argument);
            }

            using var nginx = System.Diagnostics.Process.Start(start)!;
            var stderr = nginx.StandardError.ReadToEndAsync();
            var stdout = nginx.StandardOutput.ReadToEndAsync();
            if (!nginx.WaitForExit(TestSupport.Nginx.NginxProcess.TestTimeout))
            {
                nginx.Kill(entireProcessTree: true);
                Assert.Fail("nginx -t did not finish in time");
            }

            Assert.That(nginx.ExitCode, Is.EqualTo(0), stdout.Result + stderr.Result);
            Assert.That(File.ReadAllText(Path.Combine(shared, "current", "nginx.conf")), _settings.Nginx.LuaEndpoints ? Does.Contain("ngx_http_lua_module.so") : Does.Not.Contain("load_module"));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Test]
    public void Bootstrap_and_operator_read_the_same_settings()
    {
        string config = DeploySettings.ConfigMountPath + "/portico.yaml";
        Assert.That(_objects.Bootstrap.Args, Is.EqualTo(new[] { "bootstrap", "--config", config }));
        Assert.That(_objects.Operator.Args, Is.EqualTo(new[] { "run", "--config", config }));
        foreach (var container in new[] { _objects.Operator, _objects.Bootstrap })
        {
            Assert.That(container.VolumeMounts.Single(m => m.Name == "config").MountPath, Is.EqualTo(DeploySettings.ConfigMountPath), container.Name);
            Assert.That((container.Env ?? []).Select(e => e.Name), Has.None.StartsWith(OptionsLoader.EnvironmentPrefix), $"{container.Name}: settings come from the one file only");
            Assert.That(container.EnvFrom ?? [], Is.Empty, container.Name);
            Assert.That(container.Image, Is.EqualTo(_objects.Operator.Image), $"{container.Name}: the operator image");
        }

        Assert.That(_objects.Operator.Image, Does.StartWith(Dockerfile.OperatorImage + ":"));
    }

    [Test]
    public void Container_ports_are_the_listen_ports_of_the_settings_and_the_Service_targets_them()
    {
        var proxy = _objects.Proxy;
        int Port(V1Container container, string name) => container.Ports.Single(p => p.Name == name).ContainerPort;
        Assert.That(Port(proxy, "http"), Is.EqualTo(_resolved.ProxySettings.ListenHttp.Port));
        Assert.That(Port(proxy, "https"), Is.EqualTo(_resolved.ProxySettings.ListenHttps.Port));
        Assert.That(_resolved.ProxySettings.ListenHttp.Address.ToString(), Is.EqualTo("0.0.0.0"), "reachable from the Service");
        Assert.That(_resolved.ProxySettings.ListenHttps.Address.ToString(), Is.EqualTo("0.0.0.0"));
        Assert.That(Port(_objects.Operator, "health"), Is.EqualTo(OptionsResolver.ResolveRun(_settings).HealthListen.Port));
        Assert.That(proxy.Ports.Concat(_objects.Operator.Ports).Select(p => p.ContainerPort), Has.None.EqualTo(_resolved.ProxySettings.StatusListen.Port), "the status server stays inside the pod");

        var service = _objects.OfType<V1Service>().Single(s => s.Metadata.Name == "portico");
        Assert.That(service.Spec.Type, Is.EqualTo("LoadBalancer"));
        Assert.That(service.Spec.Selector, Is.SubsetOf(_objects.Deployment.Spec.Template.Metadata.Labels));
        Assert.That(service.Spec.Ports.Select(p => (p.Name, p.Port, p.TargetPort.Value)), Is.EquivalentTo(new[] { ("http", 80, "http"), ("https", 443, "https") }));
    }

    [Test]
    public void The_operator_probes_ask_the_paths_it_serves_on_its_health_port()
    {
        Assert.That(_objects.Operator.ReadinessProbe.HttpGet.Path, Is.EqualTo("/readyz"));
        Assert.That(_objects.Operator.LivenessProbe.HttpGet.Path, Is.EqualTo("/healthz"));
        Assert.That(_objects.Operator.ReadinessProbe.HttpGet.Port.Value, Is.EqualTo("health"));
        Assert.That(_objects.Operator.LivenessProbe.HttpGet.Port.Value, Is.EqualTo("health"));
        string host = File.ReadAllText(RepositoryPaths.Combine("operator", "src", "Portico", "Hosting", "PorticoHost.cs"));
        Assert.That(host, Does.Contain("MapGet(\"/readyz\"").And.Contain("MapGet(\"/healthz\"").And.Contain("MapMetrics(\"/metrics\""), "the paths PorticoHost maps");
    }

    [Test]
    public void The_proxy_readiness_probe_asks_the_status_server_the_settings_and_templates_define()
    {
        string script = _objects.Proxy.ReadinessProbe.Exec.Command.Last();
        Assert.That(_objects.Proxy.ReadinessProbe.Exec.Command.Take(2), Is.EqualTo(new[] { "/bin/bash", "-c" }));
        var target = ProbeTarget().Match(script);
        Assert.That(target.Success, Is.True, script);
        Assert.That(target.Groups["address"].Value, Is.EqualTo(_resolved.ProxySettings.StatusListen.Address.ToString()));
        Assert.That(int.Parse(target.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(_resolved.ProxySettings.StatusListen.Port));
        string path = target.Groups["path"].Value;
        if (_resolved.Proxy == ProxyKind.Nginx)
        {
            // The bootstrap configuration (and every later one) serves it: the status server of the rendered files.
            var config = _resolved.Proxy.CreateRenderer(null).Render(ModelBuilder.Build(KindRegistry.Default.Empty, _resolved.Build), _resolved.ProxySettings);
            string status = System.Text.Encoding.UTF8.GetString(config["portico-status.conf"]!.Content);
            Assert.That(status, Does.Contain($"listen {_resolved.ProxySettings.StatusListen.HostPort};").And.Contain($"location = {path} {{"));
        }
        else
        {
            Assert.That(path, Is.EqualTo("/ready"), "Envoy's admin API answers /ready with 200 once it is live");
        }

        Assert.That(_objects.Proxy.LivenessProbe.TcpSocket.Port.Value, Is.EqualTo("http"));
    }

    [Test]
    public void The_pod_runs_as_the_user_of_both_images_and_can_write_the_shared_directory()
    {
        var pod = _objects.Pod.SecurityContext;
        var (uid, gid) = Dockerfile.Operator.User;
        Assert.That(Dockerfile.Nginx.User, Is.EqualTo((uid, gid)), "one UID for both images");
        Assert.That(pod.RunAsUser, Is.EqualTo(uid));
        Assert.That(pod.RunAsGroup, Is.EqualTo(gid));
        Assert.That(pod.FsGroup, Is.EqualTo(gid), "the emptyDir is group-writable for the pod's group");
        foreach (var image in new[] { Dockerfile.Operator, Dockerfile.Nginx })
        {
            Assert.That(image.FinalStage, Has.Some.Contains($"chown {uid}:{gid} {Shared}"), $"{image.Path}: the shared directory belongs to the image's user (outside Kubernetes too)");
        }
    }

    [Test]
    public void The_proxy_image_matches_the_settings()
    {
        string image = _objects.Proxy.Image;
        if (image.StartsWith(Dockerfile.NginxImage + ":", StringComparison.Ordinal))
        {
            Assert.That(_settings.Nginx.LuaEndpoints, Is.True, "Portico's nginx image carries the Lua module");
            Assert.That(_resolved.ProxySettings.NginxModulesDirectory, Is.EqualTo("/usr/lib/nginx/modules"), "where libnginx-mod-http-lua installs it");
            Assert.That(Dockerfile.Nginx.AptPackages, Does.Contain("libnginx-mod-http-lua"));
            Assert.That(Dockerfile.Nginx.ExecForm("CMD"), Is.EqualTo(_objects.Proxy.Command.Concat(_objects.Proxy.Args)), "the image runs what the pod runs");
            Assert.That(Dockerfile.Nginx.ExposedPorts, Is.EqualTo(_objects.Proxy.Ports.Select(p => p.ContainerPort).Order()));
        }
        else if (_resolved.Proxy == ProxyKind.Nginx)
        {
            Assert.That(image, Does.StartWith("docker.io/library/nginx:"));
            Assert.That(_settings.Nginx.LuaEndpoints, Is.False, "stock nginx has no Lua module");
        }
        else
        {
            Assert.That(image, Does.StartWith("docker.io/envoyproxy/envoy:"));
        }

        string nginxBinary = _settings.Run.NginxBinary;
        if (nginxBinary.Length > 0)
        {
            Assert.That(_resolved.Proxy, Is.EqualTo(ProxyKind.Nginx));
            Assert.That(nginxBinary, Is.EqualTo("/usr/sbin/nginx"), "where the operator image's nginx package installs it");
            Assert.That(Dockerfile.Operator.AptPackages, Is.EqualTo(Dockerfile.Nginx.AptPackages), "`nginx -t` with the sidecar's packages");
        }

        Assert.That(Dockerfile.Operator.ExposedPorts, Is.EqualTo(new[] { _objects.Operator.Ports.Single().ContainerPort }));
    }

    [Test]
    public void The_optional_metrics_Service_and_ServiceMonitor_point_at_the_operator_metrics()
    {
        var metrics = _objects.OfType<V1Service>().SingleOrDefault(s => s.Metadata.Name == "portico-metrics");
        var monitor = _objects.Json.SingleOrDefault(n => (string?)n["kind"] == "ServiceMonitor");
        if (variant != Kustomize.BaseWithComponents)
        {
            Assert.That(metrics, Is.Null, "monitoring is an optional component");
            Assert.That(monitor, Is.Null);
            return;
        }

        Assert.That(metrics, Is.Not.Null);
        Assert.That(metrics!.Spec.Type, Is.EqualTo("ClusterIP"));
        Assert.That(metrics.Spec.Selector, Is.SubsetOf(_objects.Deployment.Spec.Template.Metadata.Labels));
        var port = metrics.Spec.Ports.Single();
        Assert.That(port.TargetPort.Value, Is.EqualTo("health"));
        Assert.That(monitor, Is.Not.Null);
        Assert.That((string?)monitor!["metadata"]!["namespace"], Is.EqualTo(metrics.Metadata.NamespaceProperty));
        var selector = monitor["spec"]!["selector"]!["matchLabels"]!.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!);
        Assert.That(selector, Is.SubsetOf(metrics.Metadata.Labels));
        var endpoint = monitor["spec"]!["endpoints"]!.AsArray().Single()!;
        Assert.That((string?)endpoint["port"], Is.EqualTo(port.Name));
        Assert.That((string?)endpoint["path"], Is.EqualTo("/metrics"));
        Assert.That(_objects.OfType<V1Service>().Single(s => s.Metadata.Name == "portico").Spec.ExternalTrafficPolicy, Is.EqualTo("Local"), "the external-traffic-local component");
    }

    [GeneratedRegex(@"/dev/tcp/(?<address>[0-9.]+)/(?<port>[0-9]+) .*printf 'GET (?<path>/[^ ]*) HTTP/1\.0")]
    private static partial Regex ProbeTarget();
}
