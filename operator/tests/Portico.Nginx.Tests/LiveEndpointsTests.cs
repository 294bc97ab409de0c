using System.Text;
using Portico.Core.Applying;
using Portico.TestSupport;

namespace Portico.Nginx.Tests;

/// <summary>
/// The Lua side of the live endpoints file on real nginx (templates/nginx/_lua.scriban): a new version is picked up
/// without a reload and reported once loaded; a file without a version line is ignored (once logged) and the
/// endpoints loaded before keep serving; anything but an IP:port token is skipped.
/// </summary>
[TestFixture]
public sealed class LiveEndpointsTests
{
    private const string Host = "live.test";

    private NginxScenario _scenario = null!;
    private ConfigHashProbe _probe = null!;

    [SetUp]
    public async Task StartAsync()
    {
        // Not checked against explain: these tests write live endpoint files the model never saw.
        _scenario = await NginxScenario.StartAsync(
            ["one", "two"],
            backends => [Kube.Ingress("live").WithPath(Host, "/", "Prefix", "app", 80), .. NginxScenario.Service("app", [backends["one"]])],
            explainChecked: false);
        _probe = new ConfigHashProbe(new Uri($"http://{_scenario.Settings.StatusListen}/portico/config-hash"));
    }

    [TearDown]
    public async Task StopAsync()
    {
        _probe.Dispose();
        await _scenario.DisposeAsync();
    }

    [Test]
    public async Task A_file_without_a_version_line_is_ignored_and_the_next_good_one_is_loaded()
    {
        string loaded = (await _probe.ReadLiveHashAsync(default))!;
        Assert.That(loaded, Is.EqualTo(_scenario.Result.Config.LiveHash));

        Write($"{Routes()}default_app_80 127.0.0.1:{_scenario.Backend("two").Port}\n");
        Assert.That(await Eventually.TrueAsync(() => _scenario.Nginx.Stderr.Contains("has no version line", StringComparison.Ordinal)), Is.True, _scenario.Nginx.Stderr);
        Assert.That((await _probe.ReadLiveHashAsync(default), (await _scenario.GetAsync(Host)).Backend), Is.EqualTo((loaded, "one")), "the endpoints loaded before keep serving");

        Write($"# portico endpoints 00ff\n{Routes()}default_app_80 not-an-address 127.0.0.1:{_scenario.Backend("two").Port} 10.0.0.1;drop\n");
        Assert.That(await Eventually.ValueAsync(() => _probe.ReadLiveHashAsync(default), v => v == "00ff"), Is.EqualTo("00ff"));
        Assert.That((await _scenario.GetAsync(Host)).Backend, Is.EqualTo("two"), "only the IP:port token is used");
        Assert.That(CountOf(_scenario.Nginx.Stderr, "has no version line"), Is.EqualTo(1), "logged once, not on every check");
        Assert.That(_scenario.Nginx.Stderr, Does.Contain("ignoring endpoint not-an-address").And.Contain("ignoring endpoint 10.0.0.1;drop"));
    }

    /// <summary>The route, host and matched-server lines of the rendered file (what the locations need), each ending in a newline.</summary>
    private string Routes() => string.Concat(Encoding.ASCII.GetString(_scenario.Result.Config["portico-endpoints.txt"]!.Content)
        .Split('\n').Where(l => l.StartsWith('@') || l.StartsWith('=') || l.StartsWith('&')).Select(l => l + "\n"));

    private void Write(string content)
    {
        string path = Path.Combine(_scenario.Nginx.Directory, "portico-endpoints.txt");
        File.WriteAllText(path + ".new", content, Encoding.ASCII);
        File.Move(path + ".new", path, overwrite: true);
    }

    private static int CountOf(string text, string value) => text.Split(value).Length - 1;
}
