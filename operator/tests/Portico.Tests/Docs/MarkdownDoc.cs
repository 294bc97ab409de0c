using System.Text.RegularExpressions;
using Portico.TestSupport;

namespace Portico.Tests.Docs;

/// <summary>A Markdown file of docs/ (or the README), read the way the doc tests need it: sections, tables, code spans.</summary>
internal sealed partial class MarkdownDoc
{
    private MarkdownDoc(string path, string text)
    {
        Path = path;
        Text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    public string Path { get; }

    public string Text { get; }

    /// <summary>docs/NAME, or any repository-relative path.</summary>
    public static MarkdownDoc Load(string relativePath)
    {
        string path = RepositoryPaths.Combine(relativePath.Split('/'));
        Assert.That(File.Exists(path), Is.True, $"{relativePath} exists");
        return new MarkdownDoc(relativePath, File.ReadAllText(path));
    }

    /// <summary>The text under the heading whose title is <paramref name="title"/>, up to the next heading of the same or a higher level.</summary>
    public string Section(string title)
    {
        var lines = Text.Split('\n');
        int start = Array.FindIndex(lines, l => Heading().Match(l) is { Success: true } m && m.Groups[2].Value.Trim() == title);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), $"{Path} has a heading \"{title}\"");
        int level = Heading().Match(lines[start]).Groups[1].Value.Length;
        int end = start + 1;
        while (end < lines.Length && !(Heading().Match(lines[end]) is { Success: true } m && m.Groups[1].Value.Length <= level))
        {
            end++;
        }

        return string.Join('\n', lines[(start + 1)..end]);
    }

    /// <summary>The first table in <paramref name="text"/> whose header's first cell is <paramref name="firstHeader"/>: its body rows, cells trimmed.</summary>
    public static List<string[]> Table(string text, string firstHeader)
    {
        var lines = text.Split('\n');
        for (int i = 0; i + 1 < lines.Length; i++)
        {
            if (lines[i].StartsWith('|') && Cells(lines[i])[0] == firstHeader && lines[i + 1].StartsWith("|---", StringComparison.Ordinal))
            {
                return lines.Skip(i + 2).TakeWhile(l => l.StartsWith('|')).Select(Cells).ToList();
            }
        }

        Assert.Fail($"no table with the header \"{firstHeader}\"");
        return [];
    }

    /// <summary>The contents of every `code span` of <paramref name="text"/>, with "\|" read as "|".</summary>
    public static List<string> CodeSpans(string text) =>
        CodeSpan().Matches(text).Select(m => m.Groups[1].Value.Replace("\\|", "|", StringComparison.Ordinal)).ToList();

    private static string[] Cells(string row)
    {
        string inner = row.Trim();
        inner = inner[1..(inner.EndsWith('|') ? ^1 : inner.Length)];
        return SplitCells().Split(inner).Select(c => c.Trim()).ToArray();
    }

    [GeneratedRegex(@"^(#{1,6})\s+(.*)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex SplitCells();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex CodeSpan();
}
