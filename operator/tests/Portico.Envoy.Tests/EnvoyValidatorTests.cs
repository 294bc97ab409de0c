using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Portico.Core.Applying;
using Portico.Core.Applying.Envoy;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Envoy;
using Portico.Envoy.Schema;

namespace Portico.Envoy.Tests;

/// <summary>
/// The checks a staged version passes before the swap (the schema check; <c>envoy --mode validate</c>, here through a
/// stand-in script that looks where Envoy would), and how the probe reads Envoy's admin answers.
/// </summary>
public sealed class EnvoyValidatorTests
{
    private const string FakeEnvoy = """
        #!/bin/sh
        # Stands in for envoy --mode validate: checks the arguments and that the files are reachable through current/.
        [ "$1 $2 $3 $4" = "--mode validate -c current/envoy.json" ] || { echo "unexpected arguments: $*" >&2; exit 2; }
        [ -f current/envoy.json ] && [ -f current/lds.json ] && [ -f current/cds.json ] || { echo "no bootstrap through current/ in $PWD" >&2; exit 1; }
        if grep -q ROUND_ROBINS current/cds.json; then echo "error initializing configuration 'current/envoy.json': invalid value ROUND_ROBINS" >&2; exit 1; fi
        echo "configuration 'current/envoy.json' OK"
        """;

    private static readonly Lazy<RenderedConfig> Examples = new(() => EnvoyCases.Render("examples").Config);

    private string _root = null!;
    private VersionedConfigDirectory _directory = null!;

    [SetUp]
    public void CreateRoot()
    {
        _root = Directory.CreateTempSubdirectory("portico-envoy-validate-").FullName;
        _directory = new VersionedConfigDirectory(_root);
    }

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task Envoy_validates_the_staged_version_through_its_own_current_link_and_the_real_one_is_untouched()
    {
        string running = _directory.Stage(Examples.Value);
        _directory.Activate(running);
        var staged = Broken(Examples.Value, "\"lb_policy\": \"ROUND_ROBIN\"", "\"lb_policy\": \"ROUND_ROBINS\"");
        string version = _directory.Stage(staged);
        var validator = new EnvoyCommandValidator(WriteFakeEnvoy(), TimeSpan.FromSeconds(30));

        string? problem = await validator.ValidateAsync(_directory.VersionDirectory(version), CancellationToken.None);

        Assert.That(problem, Does.StartWith("envoy --mode validate rejected the configuration: ").And.Contain("ROUND_ROBINS"));
        Assert.That(_directory.ActiveVersion, Is.EqualTo(running));
        Assert.That(Directory.EnumerateFileSystemEntries(_root).Select(Path.GetFileName), Has.None.StartsWith(".validate-"), "the scratch directory is gone");
        Assert.That(await validator.ValidateAsync(_directory.VersionDirectory(running), CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task A_missing_envoy_binary_is_reported_not_thrown()
    {
        string version = _directory.Stage(Examples.Value);
        var validator = new EnvoyCommandValidator(Path.Combine(_root, "no-such-envoy"), TimeSpan.FromSeconds(30));
        Assert.That(await validator.ValidateAsync(_directory.VersionDirectory(version), CancellationToken.None), Does.StartWith("envoy --mode validate could not run"));
    }

    [Test]
    public async Task The_schema_check_reads_the_staged_files_back_with_their_modes()
    {
        var tls = EnvoyCases.Render("tls-sni-default-cert").Config;
        string version = _directory.Stage(tls);
        var validator = new SchemaConfigValidator(new EnvoySchemaValidator());
        Assert.That(await validator.ValidateAsync(_directory.VersionDirectory(version), CancellationToken.None), Is.Null, "keys were staged 0600");

        string key = Directory.EnumerateFiles(Path.Combine(_directory.VersionDirectory(version), "certs"), "*.key").First();
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        Assert.That(await validator.ValidateAsync(_directory.VersionDirectory(version), CancellationToken.None), Does.Contain("private file"));
    }

    [Test]
    public void Without_schema_check_or_binary_there_is_no_validator_and_with_both_the_schema_check_runs_first()
    {
        Assert.That(EnvoyLocalMode.Validator(null, null, TimeSpan.FromSeconds(1)), Is.Null);
        Assert.That(EnvoyLocalMode.Validator(new EnvoySchemaValidator(), null, TimeSpan.FromSeconds(1)), Is.InstanceOf<SchemaConfigValidator>());
        Assert.That(EnvoyLocalMode.Validator(null, "envoy", TimeSpan.FromSeconds(1)), Is.InstanceOf<EnvoyCommandValidator>());
    }

    [Test]
    public async Task Both_checks_chained_stop_at_the_first_refusal()
    {
        string version = _directory.Stage(Broken(Examples.Value, "\"lb_policy\": \"ROUND_ROBIN\"", "\"lb_policy\": \"ROUND_ROBINS\""));
        var validator = EnvoyLocalMode.Validator(new EnvoySchemaValidator(), Path.Combine(_root, "no-such-envoy"), TimeSpan.FromSeconds(30))!;
        Assert.That(await validator.ValidateAsync(_directory.VersionDirectory(version), CancellationToken.None), Does.StartWith("the envoy schema check rejected"));
    }

    [Test]
    public void The_admin_answers_are_read_as_envoy_prints_them()
    {
        // Shapes as Envoy's admin prints them (pretty proto JSON; empty fields and lists left out).
        const string Versions = """
            {
             "configs": [
              {
               "@type": "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",
               "version_info": "c1"
              },
              {
               "@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump",
               "version_info": "l1"
              }
             ]
            }
            """;
        const string Routes = """
            {
             "configs": [
              {
               "@type": "type.googleapis.com/envoy.admin.v3.RoutesConfigDump.DynamicRouteConfig",
               "version_info": "r1",
               "route_config": {
                "@type": "type.googleapis.com/envoy.config.route.v3.RouteConfiguration",
                "name": "http"
               }
              }
             ]
            }
            """;
        const string Listeners = """
            {
             "configs": [
              {"@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump.DynamicListener", "name": "http"},
              {"@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump.DynamicListener", "name": "https", "warming_state": {"version_info": "l1"}},
              {"@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump.DynamicListener", "name": "bad", "error_state": {"details": "x"}}
             ]
            }
            """;

        var state = Parse(Versions, Routes, Listeners);

        Assert.That(state.Listeners, Is.EqualTo("l1"));
        Assert.That(state.Clusters, Is.EqualTo("c1"));
        Assert.That(state.Routes, Is.EqualTo(new Dictionary<string, string> { ["http"] = "r1" }));
        Assert.That(state.WarmingListeners, Is.EqualTo(new[] { "https" }));
        Assert.That(state.FailedListeners, Is.EqualTo(new[] { "bad" }));

        var empty = Parse("""{"configs": [{"@type": "type.googleapis.com/envoy.admin.v3.ClustersConfigDump"}]}""", "{}", "{}");
        Assert.That((empty.Listeners, empty.Clusters, empty.Routes.Count), Is.EqualTo((string.Empty, string.Empty, 0)), "nothing applied yet");
        Assert.Throws<JsonException>(() => Parse("[]", "{}", "{}"));
    }

    private static EnvoyReportedState Parse(string versions, string routes, string listeners)
    {
        using var v = JsonDocument.Parse(versions);
        using var r = JsonDocument.Parse(routes);
        using var l = JsonDocument.Parse(listeners);
        return EnvoyReportedState.Parse(v.RootElement, r.RootElement, l.RootElement);
    }

    private string WriteFakeEnvoy()
    {
        Directory.CreateDirectory(Path.Combine(_root, "bin"));
        string path = Path.Combine(_root, "bin", "envoy");
        File.WriteAllText(path, FakeEnvoy.Replace("\r", string.Empty, StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return Path.GetFullPath(path);
    }

    private static RenderedConfig Broken(RenderedConfig config, string find, string replace)
    {
        var files = config.Files.Select(f => f.Path == EnvoyRenderer.ClustersFile
            ? f with { Content = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(f.Content).Replace(find, replace, StringComparison.Ordinal)) }
            : f).ToImmutableArray();
        return config with { Files = files, Hash = RenderedConfig.HashOf(files) };
    }
}
