using System.Net;
using System.Net.Sockets;
using System.Text;
using Portico.Core.Building;
using Portico.Core.Manifests;
using Portico.Core.Offline;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.TestSupport.Nginx;

namespace Portico.Nginx.Tests;

/// <summary>
/// The harness itself: failures are reported with nginx's stderr, quickly, and nothing is left behind. Not run
/// beside other fixtures: one test looks for leftover temporary directories, which other fixtures create.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class NginxProcessTests
{
    private static RenderedConfig Render(int httpPort, int httpsPort, int statusPort) =>
        OfflinePipeline.Render(
            new ManifestSet([], []),
            new BuildOptions(),
            new ProxySettings
            {
                ListenHttp = ListenAddress.Parse($"127.0.0.1:{httpPort}"),
                ListenHttps = ListenAddress.Parse($"127.0.0.1:{httpsPort}"),
                StatusListen = ListenAddress.Parse($"127.0.0.1:{statusPort}"),
                AccessLog = false,
                WorkerProcesses = 1,
            },
            ProxyKind.Nginx.CreateRenderer()).Config;

    [Test]
    public void A_taken_port_fails_the_start_at_once_with_nginx_stderr_and_leaves_nothing_behind()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        int takenPort = ((IPEndPoint)taken.LocalEndPoint!).Port;
        int[] ports = FreePorts.Take(2);
        var before = Directory.GetDirectories(Path.GetTempPath(), "portico-nginx-*").ToHashSet();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.ThrowsAsync<NginxStartException>(() => NginxProcess.StartAsync(Render(takenPort, ports[0], ports[1]), ports[1]));
        Assert.That(clock.Elapsed, Is.LessThan(NginxProcess.StartTimeout), "nginx exiting is noticed before the deadline");
        Assert.That(error!.AddressInUse, Is.True, error.Message);
        Assert.That(error.Message, Does.Contain("bind()").And.Contain(takenPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(Directory.GetDirectories(Path.GetTempPath(), "portico-nginx-*").Where(d => !before.Contains(d)), Is.Empty);
    }

    [Test]
    public async Task Dispose_stops_nginx_and_removes_its_directory()
    {
        int[] ports = FreePorts.Take(3);
        var config = Render(ports[0], ports[1], ports[2]);
        var nginx = await NginxProcess.StartAsync(config, ports[2]);
        string directory = nginx.Directory;
        Assert.That(File.Exists(Path.Combine(directory, "nginx.pid")), Is.True, "nginx runs from its own directory");
        Assert.That((await ProxyClient.GetAsync(ports[0], "any.test")).StatusCode, Is.EqualTo(404));

        nginx.Dispose();
        Assert.That(Directory.Exists(directory), Is.False);
        Assert.ThrowsAsync<HttpRequestException>(() => ProxyClient.GetAsync(ports[0], "any.test"));
    }

    [Test]
    public void nginx_t_reports_a_broken_config_with_its_output()
    {
        int[] ports = FreePorts.Take(3);
        var config = Render(ports[0], ports[1], ports[2]);
        var broken = config with
        {
            Files = [.. config.Files.Select(f => f.Path == "nginx.conf" ? f with { Content = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(f.Content) + "\nunknown_directive on;\n") } : f)],
        };
        var result = NginxProcess.Test(broken);
        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.Output, Does.Contain("unknown directive \"unknown_directive\""));
        Assert.That(NginxProcess.Test(config).Succeeded, Is.True);
    }

    [Test]
    public void Free_ports_are_distinct_and_bindable()
    {
        int[] ports = FreePorts.Take(5);
        Assert.That(ports, Is.Unique);
        foreach (int port in ports)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            Assert.DoesNotThrow(() => socket.Bind(new IPEndPoint(IPAddress.Loopback, port)));
        }
    }
}
