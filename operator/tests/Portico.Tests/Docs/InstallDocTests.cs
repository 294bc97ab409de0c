namespace Portico.Tests.Docs;

/// <summary>docs/install.md: its marked commands (kubectl kustomize of the base and every overlay) run.</summary>
public sealed class InstallDocTests
{
    [Test]
    public void Every_marked_command_runs()
    {
        using var sandbox = new DocSandbox();
        DocCommands.RunAll(MarkdownDoc.Load("docs/install.md"), sandbox);
    }
}
