using Portico.Core.Proxies.Nginx;

namespace Portico.Tests.Local;

/// <summary>Local mode decides whether nginx's workers ("nobody" under root) can reach the shared directory.</summary>
public sealed class LocalNginxTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Open = Private | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("portico-local-nginx-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void A_directory_under_a_private_parent_is_not_reachable_by_others()
    {
        string shared = Directory.CreateDirectory(Path.Combine(_root, "home", "out", "local")).FullName;
        File.SetUnixFileMode(_root, Open);
        File.SetUnixFileMode(Path.Combine(_root, "home"), Private);

        Assert.That(NginxProxy.ReachableByOthers(shared), Is.False);

        File.SetUnixFileMode(Path.Combine(_root, "home"), Open);
        Assert.That(NginxProxy.ReachableByOthers(shared), Is.True);
    }
}
