using Portico.Core.Applying;

namespace Portico.Tests.Applying;

/// <summary>
/// The pid-file trigger before the proxy runs: `nginx -t` on the shared prefix creates nginx.pid empty, and a starting
/// nginx truncates it before writing its pid. Neither is an error: the proxy reads the current configuration itself
/// when it starts (found by the operator benchmark at 10k Ingresses, where nginx takes long to start).
/// </summary>
public sealed class PidFileReloadTriggerTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "portico-pidfile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task A_missing_pid_file_means_the_proxy_is_not_running_yet()
    {
        var trigger = new PidFileReloadTrigger(Path.Combine(_directory, "nginx.pid"));
        Assert.That(await trigger.TriggerAsync(CancellationToken.None), Is.False);
    }

    [TestCase("")]
    [TestCase("\n")]
    public async Task An_empty_pid_file_means_the_proxy_has_not_written_its_pid_yet(string content)
    {
        string pidFile = Path.Combine(_directory, "nginx.pid");
        await File.WriteAllTextAsync(pidFile, content);
        var trigger = new PidFileReloadTrigger(pidFile);
        Assert.That(await trigger.TriggerAsync(CancellationToken.None), Is.False);
    }

    [Test]
    public void A_pid_file_holding_something_else_is_an_error()
    {
        string pidFile = Path.Combine(_directory, "nginx.pid");
        File.WriteAllText(pidFile, "not a pid\n");
        var trigger = new PidFileReloadTrigger(pidFile);
        Assert.ThrowsAsync<ReloadException>(() => trigger.TriggerAsync(CancellationToken.None));
    }
}
