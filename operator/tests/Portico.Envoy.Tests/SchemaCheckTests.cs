using System.Collections.Immutable;
using System.Text;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Envoy;
using Portico.Envoy.Schema;

namespace Portico.Envoy.Tests;

/// <summary>
/// The strict check catches what it must: each test breaks one thing in an otherwise valid render (the examples)
/// and expects a problem that names the file and says what is wrong.
/// </summary>
public sealed class SchemaCheckTests
{
    private static readonly Lazy<RenderedConfig> Valid = new(() => EnvoyCases.Render("tls-sni-default-cert").Config);

    [Test]
    public void The_unbroken_render_passes()
    {
        Assert.That(new EnvoySchemaValidator().Validate(Valid.Value), Is.Empty);
    }

    [TestCase(EnvoyRenderer.ClustersFile, "\"lb_policy\": \"ROUND_ROBIN\",", "\"lb_policy\": \"ROUND_ROBIN\", \"lb_polcy\": \"RANDOM\",", "lb_polcy", Description = "unknown field")]
    [TestCase(EnvoyRenderer.BootstrapFile, "\"node\": {", "\"nodes\": {}, \"node\": {", "nodes", Description = "unknown field in the bootstrap")]
    [TestCase(EnvoyRenderer.ClustersFile, "\"port_value\": 8080", "\"port_value\": \"eighty\"", "Invalid numeric value for type: eighty", Description = "wrong type")]
    [TestCase(EnvoyRenderer.HttpRoutesFile, "\"ignore_port_in_host_matching\": true", "\"ignore_port_in_host_matching\": \"yes\"", "JSON string for field type Bool", Description = "wrong type (bool)")]
    [TestCase(EnvoyRenderer.ClustersFile, "\"lb_policy\": \"ROUND_ROBIN\"", "\"lb_policy\": \"ROUND_ROBINS\"", "ROUND_ROBINS", Description = "bad enum value")]
    [TestCase(EnvoyRenderer.ListenersFile, "envoy.extensions.filters.http.router.v3.Router\"", "envoy.extensions.filters.http.router.v3.Routr\"", "Routr", Description = "unresolved @type")]
    [TestCase(EnvoyRenderer.ListenersFile, "\"upgrade_type\": \"websocket\"", "\"upgrade_type\": \"websocket\", \"extra\": 1", "extra", Description = "unknown field inside an Any")]
    [TestCase(EnvoyRenderer.ClustersFile, "\"port_value\": 8080", "\"port_value\": 70000", "port_value", Description = "protoc-gen-validate: port range")]
    [TestCase(EnvoyRenderer.HttpsRoutesFile, "\"prefix\": \"/\"", "\"path_separated_prefix\": \"/a/\"", "path_separated_prefix", Description = "protoc-gen-validate: pattern (no trailing slash)")]
    [TestCase(EnvoyRenderer.HttpRoutesFile, "\"name\": \"http\"", "\"name\": \"http\", \"virtual_hosts\": [{\"name\": \"x\", \"domains\": []}]", "virtual_hosts", Description = "duplicate field / repeated min_items")]
    [TestCase(EnvoyRenderer.ClustersFile, "\"connect_timeout\": \"5s\"", "\"connect_timeout\": \"-5s\"", "connect_timeout", Description = "protoc-gen-validate: duration > 0")]
    [TestCase(EnvoyRenderer.HttpsRoutesFile, "\"status\": 404", "\"status\": 99", "status", Description = "protoc-gen-validate: status range")]
    [TestCase(EnvoyRenderer.HttpRoutesFile, "\"key\": \"x-real-ip\"", "\"key\": \"x-real\\nip\"", "HTTP header name", Description = "protoc-gen-validate: well-known header regex")]
    [TestCase(EnvoyRenderer.ListenersFile, "\"stat_prefix\": \"http\"", "\"stat_prefix\": \"\"", "stat_prefix", Description = "protoc-gen-validate: required string")]
    [TestCase(EnvoyRenderer.ListenersFile, "\"codec_type\": \"HTTP1\"", "\"codec_type\": 7", "codec_type", Description = "enum defined_only")]
    [TestCase(EnvoyRenderer.ClustersFile, "\"lb_policy\": \"ROUND_ROBIN\",", "\"lb_policy\": \"ROUND_ROBIN\", \"dns_resolvers\": [{\"socket_address\": {\"address\": \"1.1.1.1\", \"port_value\": 53}}],", "deprecated", Description = "deprecated field")]
    [TestCase(EnvoyRenderer.ListenersFile, "\"type_url\": \"type.googleapis.com/envoy.config.listener.v3.Listener\"", "\"type_url\": \"type.googleapis.com/envoy.config.cluster.v3.Cluster\"", "type_url", Description = "wrong resource type for the file")]
    [TestCase(EnvoyRenderer.HttpRoutesFile, "\"cluster\": \"default_web_80\"", "\"cluster\": \"default_nope_80\"", "default_nope_80", Description = "route to a cluster CDS does not define")]
    [TestCase(EnvoyRenderer.ListenersFile, "\"path\": \"current/rds-https.json\"", "\"path\": \"current/rds-other.json\"", "rds-other.json", Description = "RDS file that was not rendered")]
    [TestCase(EnvoyRenderer.ListenersFile, "\"path\": \"current/rds-https.json\"", "\"path\": \"rds-https.json\"", "not read through current/", Description = "RDS file read around the link")]
    [TestCase(EnvoyRenderer.BootstrapFile, "\"path\": \"current/cds.json\"", "\"path\": \"/etc/envoy/cds.json\"", "not read through current/", Description = "CDS file read around the link")]
    [TestCase(EnvoyRenderer.BootstrapFile, "\"path\": \".\"", "\"path\": \"current\"", "must watch", Description = "watching the version directory instead of the root that holds the link")]
    [TestCase(EnvoyRenderer.ListenersFile, "\"filename\": \"current/certs/", "\"filename\": \"certs/", "not read through current/", Description = "certificate read around the link")]
    [TestCase(EnvoyRenderer.BootstrapFile, "\"address\": \"127.0.0.1\"", "\"address\": \"0.0.0.0\"", "loopback", Description = "admin off loopback")]
    [TestCase(EnvoyRenderer.HttpsRoutesFile, "\"name\": \"https\"", "\"name\": \"tls\"", "must hold exactly one route configuration, named https", Description = "RDS file without the route configuration its listeners ask for")]
    [TestCase(EnvoyRenderer.ClustersFile, "\"resources\": [", "\"resources\": [{\"@type\": \"type.googleapis.com/envoy.config.cluster.v3.Cluster\", \"name\": \"default_web_80\", \"connect_timeout\": \"1s\"},", "cluster name default_web_80 appears 2 times", Description = "duplicate cluster name")]
    [TestCase(EnvoyRenderer.ClustersFile, "\"resources\": [", "\"resources\": [{\"@type\": \"type.googleapis.com/envoy.config.listener.v3.Listener\", \"name\": \"x\"},", "is a type.googleapis.com/envoy.config.listener.v3.Listener", Description = "a resource of another type in the file")]
    public void A_broken_file_is_reported_with_its_name(string path, string find, string replace, string expected)
    {
        var problems = new EnvoySchemaValidator().Validate(Broken(path, find, replace));
        Assert.That(problems, Is.Not.Empty);
        Assert.That(problems, Has.Some.StartsWith(path).Or.Some.StartsWith("listener").Or.Some.StartsWith("rds"));
        Assert.That(string.Join("\n", problems), Does.Contain(expected));
    }

    [Test]
    public void A_private_key_must_be_written_private()
    {
        var config = Valid.Value;
        var files = config.Files.Select(f => f.Path.EndsWith(".key", StringComparison.Ordinal) ? f with { IsPrivate = false } : f).ToImmutableArray();
        var problems = new EnvoySchemaValidator().Validate(config with { Files = files });
        Assert.That(problems, Has.Some.Contains("private file"));
    }

    [Test]
    public void A_certificate_file_that_is_not_referenced_pem_is_reported()
    {
        var config = Valid.Value;
        var files = config.Files.Select(f => f.Path.EndsWith(".crt", StringComparison.Ordinal) ? f with { Content = Encoding.ASCII.GetBytes("not a certificate") } : f).ToImmutableArray();
        Assert.That(new EnvoySchemaValidator().Validate(config with { Files = files }), Has.Some.Contains("not a PEM"));
    }

    [Test]
    public void A_missing_certificate_file_is_reported()
    {
        var config = Valid.Value;
        var files = config.Files.Where(f => !f.Path.EndsWith(".key", StringComparison.Ordinal)).ToImmutableArray();
        Assert.That(new EnvoySchemaValidator().Validate(config with { Files = files }), Has.Some.Contains("is not a rendered file"));
    }

    [Test]
    public void A_file_envoy_does_not_read_is_reported()
    {
        var config = Valid.Value;
        var files = config.Files.Add(new RenderedFile("extra.json", Encoding.UTF8.GetBytes("{}"), IsPrivate: false));
        Assert.That(new EnvoySchemaValidator().Validate(config with { Files = files }), Has.Some.StartsWith("extra.json: not a file Envoy reads"));
    }

    [Test]
    public void An_empty_version_and_a_missing_bootstrap_are_reported()
    {
        var config = Valid.Value;
        string cds = Encoding.UTF8.GetString(config[EnvoyRenderer.ClustersFile]!.Content);
        string version = EnvoyRenderer.VersionOf(config[EnvoyRenderer.ClustersFile]!)!;
        var unversioned = config.Files.Select(f => f.Path == EnvoyRenderer.ClustersFile ? f with { Content = Encoding.UTF8.GetBytes(cds.Replace(version, string.Empty, StringComparison.Ordinal)) } : f).ToImmutableArray();
        Assert.That(new EnvoySchemaValidator().Validate(config with { Files = unversioned }), Has.Some.StartsWith("cds.json: version_info is empty"));

        var headless = config.Files.Where(f => f.Path != EnvoyRenderer.BootstrapFile).ToImmutableArray();
        Assert.That(new EnvoySchemaValidator().Validate(config with { Files = headless }), Has.Some.EqualTo("envoy.json: missing"));
    }

    [Test]
    public void The_description_names_the_proto_source()
    {
        Assert.That(new EnvoySchemaValidator().Description, Does.Contain("@grpc/grpc-js-xds@"));
    }

    private static RenderedConfig Broken(string path, string find, string replace)
    {
        var config = Valid.Value;
        string text = Encoding.UTF8.GetString(config[path]!.Content);
        Assert.That(text, Does.Contain(find), $"test setup: {path} no longer contains the text to break");
        int at = text.IndexOf(find, StringComparison.Ordinal);
        string broken = string.Concat(text.AsSpan(0, at), replace, text.AsSpan(at + find.Length));
        var files = config.Files.Select(f => f.Path == path ? f with { Content = Encoding.UTF8.GetBytes(broken) } : f).ToImmutableArray();
        return config with { Files = files };
    }
}
