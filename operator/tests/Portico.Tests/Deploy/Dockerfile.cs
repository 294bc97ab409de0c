using System.Text.RegularExpressions;
using Portico.TestSupport;

namespace Portico.Tests.Deploy;

/// <summary>The two Dockerfiles under images/, read as instruction lines (continuations joined, comments dropped).</summary>
internal sealed partial class Dockerfile
{
    public const string OperatorImage = "ghcr.io/portico-dev/portico";
    public const string NginxImage = "ghcr.io/portico-dev/portico-nginx";

    private Dockerfile(string path, IReadOnlyList<string> instructions)
    {
        Path = path;
        Instructions = instructions;
    }

    public static Dockerfile Operator { get; } = Read("images", "operator", "Dockerfile");

    public static Dockerfile Nginx { get; } = Read("images", "nginx", "Dockerfile");

    public string Path { get; }

    public IReadOnlyList<string> Instructions { get; }

    /// <summary>The final stage's instructions (after its last FROM).</summary>
    public IReadOnlyList<string> FinalStage => [.. Instructions.Skip(Instructions.ToList().FindLastIndex(i => i.StartsWith("FROM ", StringComparison.Ordinal)))];

    public string FinalBase => FinalStage[0]["FROM ".Length..].Split(' ')[0];

    /// <summary>The numeric UID and GID of the final stage's USER.</summary>
    public (long Uid, long Gid) User
    {
        get
        {
            var user = FinalStage.Where(i => i.StartsWith("USER ", StringComparison.Ordinal)).ToList();
            Assert.That(user, Has.Count.EqualTo(1), $"{Path}: one USER in the final stage");
            var match = NumericUser().Match(user[0]);
            Assert.That(match.Success, Is.True, $"{Path}: USER must be numeric UID:GID (runAsNonRoot can check only a number): {user[0]}");
            return (long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The packages the final stage installs with apt-get.</summary>
    public IReadOnlyList<string> AptPackages =>
        [.. FinalStage.Select(i => AptInstall().Match(i)).Where(m => m.Success).SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(p => !p.StartsWith('-')).Order(StringComparer.Ordinal)];

    /// <summary>The JSON array of an exec-form instruction (CMD, ENTRYPOINT) of the final stage, or null.</summary>
    public string[]? ExecForm(string instruction)
    {
        string? line = FinalStage.LastOrDefault(i => i.StartsWith(instruction + " ", StringComparison.Ordinal));
        return line is null ? null : System.Text.Json.JsonSerializer.Deserialize<string[]>(line[(instruction.Length + 1)..]);
    }

    public IReadOnlyList<int> ExposedPorts =>
        [.. FinalStage.Where(i => i.StartsWith("EXPOSE ", StringComparison.Ordinal)).SelectMany(i => i["EXPOSE ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).Order()];

    private static Dockerfile Read(params string[] parts)
    {
        string path = RepositoryPaths.Combine(parts);
        var instructions = new List<string>();
        string pending = string.Empty;
        foreach (string raw in File.ReadAllLines(path))
        {
            string line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
            {
                continue;
            }

            pending = pending.Length == 0 ? line : $"{pending} {line}";
            if (pending.EndsWith('\\'))
            {
                pending = pending[..^1].TrimEnd();
                continue;
            }

            if (pending.Length > 0)
            {
                instructions.Add(Whitespace().Replace(pending, " "));
            }

            pending = string.Empty;
        }

        return new Dockerfile(string.Join('/', parts), instructions);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^USER ([0-9]+):([0-9]+)$")]
    private static partial Regex NumericUser();

    [GeneratedRegex(@"apt-get install -y --no-install-recommends ([a-z0-9 .+-]+?)(?: &&|$)")]
    private static partial Regex AptInstall();
}
