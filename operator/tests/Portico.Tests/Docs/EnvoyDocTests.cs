namespace Portico.Tests.Docs;

/// <summary>docs/envoy.md: its marked commands run (render and diff in process; validate through the executable, which carries the Envoy schema check).</summary>
public sealed class EnvoyDocTests
{
    [Test]
    public void Every_marked_command_runs()
    {
        using var sandbox = new DocSandbox();
        DocCommands.RunAll(MarkdownDoc.Load("docs/envoy.md"), sandbox, atLeast: 3);
    }
}
