using Portico.Core.Proxies;

namespace Portico.Tests.Local;

/// <summary>
/// Local mode's nginx command line: as root its workers run as root too, because they read private files at request
/// time (basic-auth user files, 0600) that "nobody" could not; as any other user nginx keeps that user.
/// </summary>
public sealed class LocalNginxTests
{
    [Test]
    public void As_root_the_workers_run_as_root_and_otherwise_as_the_same_user()
    {
        var start = ProxyKind.Nginx.LocalStartInfo("/usr/sbin/nginx", "/tmp/portico-local-nginx");
        string globals = start.ArgumentList[start.ArgumentList.IndexOf("-g") + 1];
        Assert.That(globals, Is.EqualTo(Environment.UserName == "root" ? "daemon off; user root;" : "daemon off;"));
        Assert.That(start.ArgumentList, Is.EqualTo(new[] { "-p", "/tmp/portico-local-nginx/", "-c", "current/nginx.conf", "-e", "stderr", "-g", globals }));
    }
}
