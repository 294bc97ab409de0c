using System.Text;
using k8s.Models;
using Portico.Core.Rendering.Nginx;
using Portico.TestSupport.Nginx;

namespace Portico.Nginx.Tests;

/// <summary>
/// With Lua endpoints, hosts with TLS are served without a server block of their own and every host's certificate is
/// presented by the Lua from the client's server name (docs/adr/0017), on real nginx.
/// </summary>
[TestFixture]
public sealed class SniServerTests
{
    private NginxScenario _scenario = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _scenario = await NginxScenario.StartAsync(TlsFixtureCertificates.Backends, TlsFixtureCertificates.Objects);

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    private string Conf => Encoding.UTF8.GetString(_scenario.Result.Config[NginxRenderer.MainFile]!.Content);

    [Test]
    public async Task A_host_with_TLS_and_no_enforced_policy_has_no_server_block_and_is_served_over_both_schemes()
    {
        Assert.That(Conf, Does.Contain("server_name \"tls-a.test\" \"tls-b.test\";"), "the SNI server");
        Assert.That(Conf, Does.Not.Contain("server_name \"tls-a.test\";"));
        PathMatchingTests.AssertServedBy(await _scenario.GetTlsAsync("tls-a.test"), "a");
        PathMatchingTests.AssertServedBy(await _scenario.GetAsync("tls-a.test"), "a");
    }

    [Test]
    public async Task Over_one_hosts_handshake_a_request_for_another_host_with_TLS_is_routed_by_its_Host_header()
    {
        var response = await ProxyClient.GetTlsAsync(_scenario.HttpsPort, "tls-b.test", "/", sni: "tls-a.test");
        PathMatchingTests.AssertServedBy(response, "b");
        Assert.That(response.ServerCertificate!.Subject, Is.EqualTo("CN=tls-a.test"));
    }

    // nginx gives a Host none of its servers names to the default server, as before ADR 0017 (and ADR 0014: a plain
    // host over another host's handshake is not served): the hostless rules, none here.
    [TestCase("plain.test")]
    [TestCase("unknown.test")]
    public async Task Over_a_TLS_hosts_handshake_a_host_that_has_no_TLS_gets_the_default_servers_answer(string host)
    {
        var response = await _scenario.GetTlsAsync(host, "/", sni: "tls-a.test");
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((404, (string?)null)));
    }

    [Test]
    public async Task A_host_of_the_SNI_server_whose_rules_are_not_loaded_answers_503()
    {
        await using var scenario = await NginxScenario.StartAsync(TlsFixtureCertificates.Backends, TlsFixtureCertificates.Objects, explainChecked: false);
        await scenario.ReloadWithLiveLinesAsync(lines => lines.Where(l => !l.StartsWith("~tls-a.test ", StringComparison.Ordinal)));

        var response = await ProxyClient.GetTlsAsync(scenario.HttpsPort, "tls-a.test");
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((503, (string?)null)), "no rules: not another host's, not the hostless rules");
        PathMatchingTests.AssertServedBy(await ProxyClient.GetTlsAsync(scenario.HttpsPort, "tls-b.test"), "b");
    }

    // Each line is parsed at its first lookup (ADR 0007, "Later"): a malformed one must still be as if absent.
    [Test]
    public async Task Malformed_lines_of_the_live_file_are_as_if_absent_and_the_rest_is_served()
    {
        await using var scenario = await NginxScenario.StartAsync(TlsFixtureCertificates.Backends, TlsFixtureCertificates.Objects, explainChecked: false);
        string garbled = await scenario.ReloadWithLiveLinesAsync(lines => lines
            .Select(l => l.StartsWith("=plain.test ", StringComparison.Ordinal) ? "=plain.test P:zz:default_plain_80" : l)
            .Select(l => l.StartsWith("default_b_80 ", StringComparison.Ordinal) ? l + " not-an-endpoint" : l)
            .Append("=bad/host.test P:2f:default_b_80").Append("@ junk").Append("+ 1"));
        Assert.That(garbled, Does.Contain("\ndefault_b_80 127.0.0.1:"), "the fixture's upstream line");

        var plain = await ProxyClient.GetAsync(scenario.HttpPort, "plain.test");
        Assert.That((plain.StatusCode, plain.Backend), Is.EqualTo((503, (string?)null)), "rules that do not parse route nothing");
        PathMatchingTests.AssertServedBy(await ProxyClient.GetAsync(scenario.HttpPort, "tls-b.test"), "b");
        PathMatchingTests.AssertServedBy(await ProxyClient.GetTlsAsync(scenario.HttpsPort, "tls-a.test"), "a");
    }

    // nginx -t does not run init_by_lua: the operator's validator loads what the Lua will (NginxCertificatesCheck).
    [Test]
    public async Task A_missing_key_fails_validation_and_names_the_certificate()
    {
        var config = _scenario.Result.Config;
        string key = config.Files.First(f => f.Path.EndsWith(".key", StringComparison.Ordinal)).Path;
        string? rejected = await ValidateWithAsync(config, key, replacement: null);
        Assert.That(rejected, Does.Contain("does not load with its key").And.Contain(key[..^4] + ".crt"));
    }

    [TestCase("tls-a.test 0123\n", "does not load with its key")]
    [TestCase("tls-a.test ../../etc/passwd\n", "malformed line")]
    [TestCase("tls-a.test\n", "malformed line")]
    public async Task A_certificates_file_that_does_not_load_fails_validation(string content, string message)
    {
        Assert.That(await ValidateWithAsync(_scenario.Result.Config, NginxRenderer.CertificatesFile, content), Does.Contain(message));
    }

    [Test]
    public async Task The_rendered_certificates_pass_validation()
    {
        Assert.That(await ValidateWithAsync(_scenario.Result.Config, "unrelated.txt", "x"), Is.Null);
    }

    [Test]
    public async Task A_host_whose_TLS_arrives_with_a_reload_presents_its_certificate_after_it()
    {
        await using var scenario = await NginxScenario.StartAsync(
            TlsFixtureCertificates.Backends,
            TlsFixtureCertificates.Objects,
            notYetReloaded: o => o is V1Secret { Metadata.Name: "b-tls" });
        var before = await scenario.HandshakeAsync("tls-b.test");
        Assert.That(before.Succeeded, Is.False, "tls-b.test has no certificate yet: " + before);

        await scenario.ReloadAsync();
        var after = await scenario.HandshakeAsync("tls-b.test");
        Assert.That(after.Succeeded, Is.True, after.ToString());
        Assert.That(after.Certificate!.Subject, Is.EqualTo("CN=tls-b.test"));
        Assert.That((await scenario.HandshakeAsync("tls-a.test")).Certificate!.Subject, Is.EqualTo("CN=tls-a.test"), "the others are loaded again");
    }

    /// <summary>The operator's validation (nginx -t, then the certificates) of <paramref name="config"/> written out with one file removed or replaced.</summary>
    private static async Task<string?> ValidateWithAsync(Core.Rendering.RenderedConfig config, string path, string? replacement)
    {
        string directory = NginxProcess.CreateTemporaryDirectory();
        try
        {
            Core.Output.OutputDirectory.Write(directory, config);
            string file = Path.Combine(directory, path);
            if (replacement is null)
            {
                File.Delete(file);
            }
            else
            {
                File.WriteAllText(file, replacement);
            }

            return await new Core.Applying.Nginx.NginxConfigValidator(NginxProcess.Binary, directory, TimeSpan.FromSeconds(30)).ValidateAsync(directory, CancellationToken.None);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
