using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Portico.Cli;
using Portico.TestSupport;

namespace Portico.Tests.Docs;

/// <summary>
/// Runs the commands of docs/ that can run here. A fenced block preceded by the line
/// <c>&lt;!-- test: run --&gt;</c> is run line by line in a <see cref="DocSandbox"/>; the marker may add, in this
/// order, <c>exit=N</c> (what every command of the block must exit with; default 0), <c>script</c> (run the block as
/// one bash script instead) and <c>expect="TEXT"</c> (a fragment the block's output must hold). A line that is a plain
/// `portico ...` command (or `dotnet run --project .../operator/src/Portico -- ...`) runs in this process, through the
/// same <see cref="PorticoCli"/> as the executable; anything else runs in bash, where `portico` and `dotnet run
/// --project .../operator/src/Portico --` are the built executable (no build in the test).
/// </summary>
internal static partial class DocCommands
{
    private static readonly Lock InProcess = new();

    public sealed record Block(int Line, string Code, int ExpectedExit, bool Script, string? Expect);

    /// <summary>The marked blocks of a doc, in document order; a malformed marker fails.</summary>
    public static List<Block> Marked(MarkdownDoc doc)
    {
        var lines = doc.Text.Split('\n');
        var blocks = new List<Block>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].TrimStart().StartsWith("<!-- test:", StringComparison.Ordinal))
            {
                continue;
            }

            var marker = Marker().Match(lines[i].Trim());
            Assert.That(marker.Success, Is.True, $"{doc.Path}:{i + 1}: a marker reads <!-- test: run [exit=N] [script] [expect=\"TEXT\"] -->: {lines[i]}");
            Assert.That(i + 1 < lines.Length && lines[i + 1].TrimStart().StartsWith("```", StringComparison.Ordinal), Is.True, $"{doc.Path}:{i + 1}: the marker is followed by a fenced block");
            int end = Array.FindIndex(lines, i + 2, l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
            Assert.That(end, Is.GreaterThan(i), $"{doc.Path}:{i + 2}: the fenced block ends");
            blocks.Add(new Block(
                i + 2,
                string.Join('\n', lines[(i + 2)..end]),
                marker.Groups[1].Success ? int.Parse(marker.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0,
                marker.Groups[2].Success,
                marker.Groups[3].Success ? marker.Groups[3].Value : null));
            i = end;
        }

        return blocks;
    }

    /// <summary>Runs every marked block of <paramref name="doc"/> in order in <paramref name="sandbox"/>; reports each failure with its line.</summary>
    public static void RunAll(MarkdownDoc doc, DocSandbox sandbox, int atLeast = 1)
    {
        var blocks = Marked(doc);
        Assert.That(blocks, Has.Count.GreaterThanOrEqualTo(atLeast), $"{doc.Path} has marked blocks");
        Assert.Multiple(() =>
        {
            foreach (var block in blocks)
            {
                var output = new StringBuilder();
                foreach (string command in block.Script ? [block.Code] : Commands(block.Code))
                {
                    var (exit, text) = block.Script ? Bash(command, sandbox.Directory) : Run(command, sandbox.Directory);
                    output.Append(text);
                    Assert.That(exit, Is.EqualTo(block.ExpectedExit), $"{doc.Path}:{block.Line}: `{command}` exits {block.ExpectedExit}; output:\n{text}");
                }

                if (block.Expect is not null)
                {
                    Assert.That(output.ToString(), Does.Contain(block.Expect), $"{doc.Path}:{block.Line}: output holds the expected fragment");
                }
            }
        });
    }

    /// <summary>The block's commands: continuation lines joined, blank lines and comment lines left out.</summary>
    public static IEnumerable<string> Commands(string code)
    {
        var current = new StringBuilder();
        foreach (string line in code.Split('\n'))
        {
            if (current.Length == 0 && (line.Trim().Length == 0 || line.TrimStart().StartsWith('#')))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current.Append(line[..^1]).Append(' ');
                continue;
            }

            current.Append(line);
            yield return current.ToString().Trim();
            current.Clear();
        }

        if (current.Length > 0)
        {
            yield return current.ToString().Trim();
        }
    }

    private static (int Exit, string Output) Run(string command, string directory)
    {
        var words = PlainWords(command);
        string[]? args = words switch
        {
            ["portico", .. var rest] => rest,
            ["dotnet", "run", "--project", var project, "--", .. var rest] when project.TrimEnd('/').EndsWith("operator/src/Portico", StringComparison.Ordinal) => rest,
            _ => null,
        };
        return args is null ? Bash(command, directory) : Portico(args, directory);
    }

    /// <summary>`portico ARGS` in this process, in <paramref name="directory"/>, with both streams captured.</summary>
    private static (int Exit, string Output) Portico(string[] args, string directory)
    {
        lock (InProcess)
        {
            string cwd = Environment.CurrentDirectory;
            var (stdout, stderr) = (Console.Out, Console.Error);
            using var output = new StringWriter();
            try
            {
                Environment.CurrentDirectory = directory;
                Console.SetOut(output);
                Console.SetError(output);
                int exit = PorticoCli.Run(args);
                return (exit, output.ToString());
            }
            finally
            {
                Console.SetOut(stdout);
                Console.SetError(stderr);
                Environment.CurrentDirectory = cwd;
            }
        }
    }

    /// <summary>`portico` and `dotnet run --project .../operator/src/Portico --` run the built executable.</summary>
    private const string BashPrelude = """
        portico() { command dotnet "$DOCTEST_PORTICO_DLL" "$@"; }
        dotnet() {
          if [ "$1" = run ] && [ "$2" = --project ] && [[ "${3%/}" == *operator/src/Portico ]] && [ "$4" = -- ]; then
            shift 4; command dotnet "$DOCTEST_PORTICO_DLL" "$@"
          else
            command dotnet "$@"
          fi
        }

        """;

    private static (int Exit, string Output) Bash(string command, string directory)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-eo");
        start.ArgumentList.Add("pipefail");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(BashPrelude + command);
        start.Environment["DOCTEST_PORTICO_DLL"] = PorticoExecutable.Dll;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"`{command}` did not finish within 120 s");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The words of a command without shell syntax (quotes resolved, a trailing # comment dropped), or [] when it needs a shell.</summary>
    private static string[] PlainWords(string command)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < command.Length; i++)
        {
            char c = command[i];
            if (c is '\'' or '"')
            {
                int close = command.IndexOf(c, i + 1);
                if (close < 0 || (c == '"' && command[(i + 1)..close].IndexOfAny(['$', '`', '\\']) >= 0))
                {
                    return [];
                }

                word.Append(command, i + 1, close - i - 1);
                inWord = true;
                i = close;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else if (c == '#' && !inWord)
            {
                break;
            }
            else if ("|&;<>()$`\\*?[]{}~!".Contains(c, StringComparison.Ordinal))
            {
                return [];
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return [.. words];
    }

    [GeneratedRegex("""^<!-- test: run(?: exit=([0-9]+))?( script)?(?: expect="([^"]*)")? -->$""")]
    private static partial Regex Marker();
}
