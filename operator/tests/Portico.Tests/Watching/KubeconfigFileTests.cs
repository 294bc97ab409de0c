using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Exceptions;
using Portico.Watching;

namespace Portico.Tests.Watching;

/// <summary>
/// The operator reads kubeconfig files with a plain YAML deserializer instead of the client library's (which costs
/// ~35 MiB for good); what it builds from a file must be what the library builds from the same file.
/// </summary>
public sealed class KubeconfigFileTests
{
    private string _work = null!;

    [SetUp]
    public void SetUp() => _work = Directory.CreateTempSubdirectory("portico-kubeconfig-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_work, recursive: true);

    [Test]
    public void A_token_and_a_relative_CA_file_are_read_as_the_client_library_reads_them()
    {
        using var ca = SelfSigned("portico-test-ca");
        File.WriteAllText(Path.Combine(_work, "ca.crt"), ca.ExportCertificatePem());
        string path = Write("""
            apiVersion: v1
            kind: Config
            preferences: {}
            clusters:
            - name: other
              cluster:
                server: https://other.example:6443
                insecure-skip-tls-verify: true
            - name: main
              cluster:
                server: https://main.example:6443
                certificate-authority: ca.crt
                tls-server-name: api.main.example
                extensions:
                - name: client.authentication.k8s.io/exec
                  extension: {audience: main}
            users:
            - name: admin
              user:
                token: s3cr3t-token
            - name: basic
              user: {username: u, password: p}
            contexts:
            - name: main
              context: {cluster: main, user: admin, namespace: portico-system}
            - name: other
              context: {cluster: other, user: basic}
            current-context: main
            """);

        var ours = KubeconfigFile.Load(path);
        var library = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);

        AssertSame(ours, library);
        Assert.That(ours.Host, Is.EqualTo("https://main.example:6443"));
        Assert.That(ours.AccessToken, Is.EqualTo("s3cr3t-token"));
        Assert.That(ours.Namespace, Is.EqualTo("portico-system"));
        Assert.That(ours.TlsServerName, Is.EqualTo("api.main.example"));
        Assert.That(ours.SslCaCerts!.Single().Thumbprint, Is.EqualTo(ca.Thumbprint));
    }

    [Test]
    public void Embedded_client_certificates_and_skip_verify_are_read_as_the_client_library_reads_them()
    {
        using var client = SelfSigned("portico-test-client");
        string certData = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(client.ExportCertificatePem()));
        string keyData = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem()));
        string path = Write($$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: {server: "https://10.0.0.1", insecure-skip-tls-verify: true}
            users:
            - name: u
              user:
                client-certificate-data: {{certData}}
                client-key-data: {{keyData}}
            contexts:
            - name: c
              context: {cluster: c, user: u}
            current-context: c
            """);

        var ours = KubeconfigFile.Load(path);

        AssertSame(ours, KubernetesClientConfiguration.BuildConfigFromConfigFile(path));
        Assert.That(ours.SkipTlsVerify, Is.True);
        Assert.That(ours.ClientCertificateData, Is.EqualTo(certData));
        Assert.That(ours.ClientCertificateKeyData, Is.EqualTo(keyData));
    }

    [Test]
    public void A_file_that_is_not_YAML_gets_an_error_that_names_it()
    {
        string path = Write("clusters: [unclosed\n");

        var error = Assert.Throws<KubeConfigException>(() => KubeconfigFile.Load(path))!;

        Assert.That(error.Message, Does.Contain(path).And.Contain("not valid YAML"));
    }

    [Test]
    public void A_context_that_is_missing_is_refused_as_the_client_library_refuses_it()
    {
        string path = Write("apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\ncurrent-context: gone\n");

        Assert.Throws<KubeConfigException>(() => KubeconfigFile.Load(path));
        Assert.Throws<KubeConfigException>(() => KubernetesClientConfiguration.BuildConfigFromConfigFile(path));
    }

    private string Write(string yaml)
    {
        string path = Path.Combine(_work, "kubeconfig");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static void AssertSame(KubernetesClientConfiguration ours, KubernetesClientConfiguration library)
    {
        Assert.Multiple(() =>
        {
            Assert.That(ours.Host, Is.EqualTo(library.Host));
            Assert.That(ours.CurrentContext, Is.EqualTo(library.CurrentContext));
            Assert.That(ours.Namespace, Is.EqualTo(library.Namespace));
            Assert.That(ours.AccessToken, Is.EqualTo(library.AccessToken));
            Assert.That(ours.Username, Is.EqualTo(library.Username));
            Assert.That(ours.Password, Is.EqualTo(library.Password));
            Assert.That(ours.SkipTlsVerify, Is.EqualTo(library.SkipTlsVerify));
            Assert.That(ours.TlsServerName, Is.EqualTo(library.TlsServerName));
            Assert.That(ours.ClientCertificateData, Is.EqualTo(library.ClientCertificateData));
            Assert.That(ours.ClientCertificateKeyData, Is.EqualTo(library.ClientCertificateKeyData));
            Assert.That(ours.SslCaCerts?.Select(c => c.Thumbprint), Is.EqualTo(library.SslCaCerts?.Select(c => c.Thumbprint)));
        });
    }

    private static X509Certificate2 SelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2036, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }
}
