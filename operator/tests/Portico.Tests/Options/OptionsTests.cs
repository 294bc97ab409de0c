using System.Text.Json;
using Portico.Core.Kubernetes;
using Portico.Options;
using Portico.TestSupport;

namespace Portico.Tests.Options;

public sealed class OptionsTests
{
    private static readonly Dictionary<string, string?> NoOverrides = [];

    [Test]
    public void The_shipped_config_file_holds_exactly_the_built_in_defaults()
    {
        var fromFile = OptionsLoader.Load(RepositoryPaths.Combine("config", "portico.yaml"), NoOverrides, readEnvironment: false);
        Assert.That(JsonSerializer.Serialize(fromFile), Is.EqualTo(JsonSerializer.Serialize(new PorticoOptions())));
    }

    [Test]
    public void Flags_override_the_file()
    {
        string file = WriteConfig("listen:\n  http: 127.0.0.1:9000\n  https: 127.0.0.1:9443\n");
        var options = OptionsLoader.Load(file, new Dictionary<string, string?> { ["listen:http"] = "127.0.0.1:9100" }, readEnvironment: false);
        Assert.That((options.Listen.Http, options.Listen.Https), Is.EqualTo(("127.0.0.1:9100", "127.0.0.1:9443")));
    }

    [Test]
    public void An_unknown_key_is_an_error_naming_it()
    {
        string file = WriteConfig("listen:\n  htp: 127.0.0.1:9000\n");
        var e = Assert.Throws<OptionsException>(() => OptionsLoader.Load(file, NoOverrides, readEnvironment: false))!;
        Assert.That(e.Message, Does.Contain("htp"));
    }

    [Test]
    public void A_config_file_that_is_not_YAML_is_an_error_with_its_line()
    {
        string file = WriteConfig("listen:\n  http: [\n");
        var e = Assert.Throws<OptionsException>(() => OptionsLoader.Load(file, NoOverrides, readEnvironment: false))!;
        Assert.That(e.Message, Does.Contain(file + ":"));
    }

    [Test]
    public void Resolving_parses_every_value_into_its_type()
    {
        var options = new PorticoOptions();
        options.Tls.DefaultCertificate = "portico/fallback";
        options.Backends.ReadTimeout = "1500ms";
        options.Clients.MaxBodySize = "64k";
        var resolved = OptionsResolver.Resolve(options);
        Assert.That(resolved.Build.DefaultCertificate, Is.EqualTo(new NamespacedName("portico", "fallback")));
        Assert.That(resolved.ProxySettings.ProxyReadTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(1500)));
        Assert.That(resolved.ProxySettings.ClientMaxBodyBytes, Is.EqualTo(64 * 1024));
        Assert.That(resolved.ProxySettings.ListenHttp.ToString(), Is.EqualTo("0.0.0.0:8080"));
    }

    [Test]
    public void Every_bad_value_is_reported_at_once_each_by_its_key()
    {
        var options = new PorticoOptions { Proxy = "haproxy", IngressClass = "Bad Class" };
        options.Listen.Http = "localhost:80";
        options.Listen.Status = "0.0.0.0:10246";
        options.Backends.ConnectTimeout = "5 seconds";
        options.Clients.MaxBodySize = "1TB";
        options.Tls.DefaultCertificate = "no-slash";
        options.Backends.EnableExternalName = true;
        var e = Assert.Throws<OptionsException>(() => OptionsResolver.Resolve(options))!;
        Assert.That(e.Message, Does.Contain("proxy:").And.Contain("ingressClass:").And.Contain("listen:http:")
            .And.Contain("backends:connectTimeout:").And.Contain("clients:maxBodySize:").And.Contain("tls:defaultCertificate:")
            .And.Contain("backends:enableExternalName"));
    }

    [Test]
    public void The_status_listener_must_be_on_loopback()
    {
        var options = new PorticoOptions();
        options.Listen.Status = "0.0.0.0:10246";
        var e = Assert.Throws<OptionsException>(() => OptionsResolver.Resolve(options))!;
        Assert.That(e.Message, Does.Contain("loopback"));
    }

    [TestCase("auto", true, ConsoleLogFormat.Plain)]
    [TestCase("auto", false, ConsoleLogFormat.Json)]
    [TestCase("json", true, ConsoleLogFormat.Json)]
    [TestCase("plain", false, ConsoleLogFormat.Plain)]
    public void The_log_format_is_the_one_set_or_by_default_plain_on_a_terminal_and_JSON_otherwise(string setting, bool terminal, ConsoleLogFormat expected)
    {
        var options = new PorticoOptions();
        options.Run.LogFormat = setting;
        Assert.That(OptionsResolver.ResolveRun(options, outputIsTerminal: terminal).LogFormat, Is.EqualTo(expected));
    }

    [Test]
    public void The_log_format_comes_from_the_file_and_a_flag_overrides_it()
    {
        string file = WriteConfig("run:\n  logFormat: plain\n");
        var fromFile = OptionsLoader.Load(file, NoOverrides, readEnvironment: false);
        var flagged = OptionsLoader.Load(file, new Dictionary<string, string?> { ["run:logFormat"] = "json" }, readEnvironment: false);
        Assert.That(OptionsResolver.ResolveRun(fromFile, outputIsTerminal: false).LogFormat, Is.EqualTo(ConsoleLogFormat.Plain));
        Assert.That(OptionsResolver.ResolveRun(flagged, outputIsTerminal: true).LogFormat, Is.EqualTo(ConsoleLogFormat.Json));
    }

    [Test]
    public void An_unknown_log_format_is_an_error_naming_the_choices()
    {
        var options = new PorticoOptions();
        options.Run.LogFormat = "text";
        var e = Assert.Throws<OptionsException>(() => OptionsResolver.ResolveRun(options, outputIsTerminal: true))!;
        Assert.That(e.Message, Does.Contain("run:logFormat: \"text\" is not one of auto, json, plain"));
    }

    private static string WriteConfig(string text)
    {
        string file = Path.Combine(Path.GetTempPath(), $"portico-config-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, text);
        return file;
    }
}
