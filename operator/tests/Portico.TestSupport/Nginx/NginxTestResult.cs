namespace Portico.TestSupport.Nginx;

/// <summary>What <c>nginx -t</c> said: its exit code and everything it printed (stdout and stderr).</summary>
public sealed record NginxTestResult(int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;

    public override string ToString() => $"nginx -t exited {ExitCode}:\n{Output}";
}
