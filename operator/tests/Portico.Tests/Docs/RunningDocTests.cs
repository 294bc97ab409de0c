namespace Portico.Tests.Docs;

/// <summary>docs/running.md: its marked commands run.</summary>
public sealed class RunningDocTests
{
    [Test]
    public void Every_marked_command_runs()
    {
        using var sandbox = new DocSandbox();
        DocCommands.RunAll(MarkdownDoc.Load("docs/running.md"), sandbox);
    }
}
