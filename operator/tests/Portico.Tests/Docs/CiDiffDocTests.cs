namespace Portico.Tests.Docs;

/// <summary>
/// docs/ci-diff.md: its commands run (plan against a git revision and against directories, explain, the setup render
/// and commit, the shell CI script, nginx -t on the committed render). The CI jobs' YAML is run by CiWorkflowTests.
/// </summary>
public sealed class CiDiffDocTests
{
    [Test]
    public void Every_marked_command_runs()
    {
        using var sandbox = new DocSandbox();
        DocCommands.RunAll(MarkdownDoc.Load("docs/ci-diff.md"), sandbox, atLeast: 5);
    }
}
