using System.Text.RegularExpressions;

namespace Portico.Core.Values;

/// <summary>
/// The regular-expression dialect Portico accepts for paths (ingress-nginx's use-regex paths and rewrites): the part
/// that PCRE (nginx) and RE2 (Envoy) run identically. Literals, ".", character classes with ranges, the escapes
/// <c>\d \D \w \W \s \S</c> and escaped punctuation, groups "(...)" and "(?:...)", alternation, anchors "^" and "$",
/// quantifiers "* + ?" (also lazy) and "{n}", "{n,}", "{n,m}" up to 1000. Not accepted: back-references,
/// look-arounds, named groups, inline flags, Unicode classes, possessive quantifiers; spaces, quotes, ";", "#" and
/// control characters. At most 256 characters and 9 capture groups (for $1..$9 in rewrites). An accepted pattern is
/// compiled once more with .NET's non-backtracking engine, so it is also known to run in linear time.
/// </summary>
public static class PathRegexValue
{
    public const int MaxLength = 256;
    public const int MaxGroups = 9;
    public const int MaxRepeat = 1000;

    public static bool TryParse(string? text, out Regex regex, out string error)
    {
        regex = null!;
        error = string.Empty;
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength)
        {
            error = $"must be a regular expression of 1 to {MaxLength} characters";
            return false;
        }

        if (!new DialectReader(text).TryRead(out int groups, out error))
        {
            return false;
        }

        if (groups > MaxGroups)
        {
            error = $"has {groups} capture groups; at most {MaxGroups} (use (?:...) for groups that capture nothing)";
            return false;
        }

        try
        {
            regex = new Regex(text, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            return true;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            error = "is not a valid regular expression: " + e.Message;
            return false;
        }
    }

    /// <summary>A one-pass reader of the dialect; it refuses at the first construct outside it, naming the position.</summary>
    private sealed class DialectReader(string text)
    {
        private const string Literal = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_.~%!&=,:@";
        private const string Escapable = ".\\/-()[]{}*+?|^$";
        private const string ClassEscapes = "dDwWsS";
        private int _at;
        private int _depth;

        public bool TryRead(out int groups, out string error)
        {
            groups = 0;
            bool canRepeat = false;
            while (_at < text.Length)
            {
                char c = text[_at];
                switch (c)
                {
                    case '(':
                        if (Peek(1) == '?')
                        {
                            if (Peek(2) != ':')
                            {
                                return Fail("only (?:...) is accepted after \"(?\" (no look-arounds, named groups or flags)", out error);
                            }

                            _at += 2;
                        }
                        else
                        {
                            groups++;
                        }

                        _depth++;
                        _at++;
                        canRepeat = false;
                        continue;
                    case ')':
                        if (_depth == 0)
                        {
                            return Fail("\")\" without \"(\"", out error);
                        }

                        _depth--;
                        break;
                    case '|' or '^' or '$':
                        _at++;
                        canRepeat = false;
                        continue;
                    case '*' or '+' or '?':
                        if (!canRepeat)
                        {
                            return Fail($"\"{c}\" repeats nothing", out error);
                        }

                        _at++;
                        if (Peek(0) == '?')
                        {
                            _at++;
                        }
                        else if (Peek(0) == '+')
                        {
                            return Fail("possessive quantifiers are not accepted", out error);
                        }

                        canRepeat = false;
                        continue;
                    case '{':
                        if (!canRepeat)
                        {
                            return Fail("\"{\" repeats nothing", out error);
                        }

                        if (!TryReadRepeat(out string repeatError))
                        {
                            return Fail(repeatError, out error);
                        }

                        canRepeat = false;
                        continue;
                    case '[':
                        if (!TryReadClass(out error))
                        {
                            return false;
                        }

                        canRepeat = true;
                        continue;
                    case '\\':
                        char next = Peek(1);
                        if (!Escapable.Contains(next, StringComparison.Ordinal) && !ClassEscapes.Contains(next, StringComparison.Ordinal))
                        {
                            return Fail($"the escape \"\\{Shown(next)}\" is not accepted (accepted: \\d \\D \\w \\W \\s \\S and escaped punctuation)", out error);
                        }

                        _at++;
                        break;
                    default:
                        if (c != '.' && !Literal.Contains(c, StringComparison.Ordinal))
                        {
                            return Fail($"the character \"{Shown(c)}\" is not accepted in a path pattern", out error);
                        }

                        break;
                }

                _at++;
                canRepeat = true;
            }

            if (_depth != 0)
            {
                return Fail("\"(\" is never closed", out error);
            }

            error = string.Empty;
            return true;
        }

        private bool TryReadRepeat(out string error)
        {
            var match = Regex.Match(text[_at..], "^\\{([0-9]{1,4})(,([0-9]{0,4}))?\\}");
            if (!match.Success)
            {
                error = "\"{\" must start a repeat {n}, {n,} or {n,m}";
                return false;
            }

            int low = int.Parse(match.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
            int high = match.Groups[3].Length > 0 ? int.Parse(match.Groups[3].ValueSpan, System.Globalization.CultureInfo.InvariantCulture) : low;
            if (low > MaxRepeat || high > MaxRepeat || high < low)
            {
                error = $"a repeat must be at most {MaxRepeat} and its bounds in order";
                return false;
            }

            _at += match.Length;
            error = string.Empty;
            return true;
        }

        private bool TryReadClass(out string error)
        {
            int start = _at++;
            if (Peek(0) == '^')
            {
                _at++;
            }

            int items = 0;
            while (_at < text.Length && (text[_at] != ']' || items == 0))
            {
                char c = text[_at];
                if (c == '\\')
                {
                    char next = Peek(1);
                    if (!Escapable.Contains(next, StringComparison.Ordinal) && !ClassEscapes.Contains(next, StringComparison.Ordinal))
                    {
                        return Fail($"the escape \"\\{Shown(next)}\" is not accepted in a character class", out error);
                    }

                    _at++;
                }
                else if (c == '[')
                {
                    return Fail("\"[\" inside a character class must be escaped (no POSIX classes)", out error);
                }
                else if (c != '-' && c != '.' && c != '^' && c != '$' && c != '*' && c != '+' && c != '?' && c != '(' && c != ')' && c != '|' && c != '{' && c != '}' && !Literal.Contains(c, StringComparison.Ordinal))
                {
                    return Fail($"the character \"{Shown(c)}\" is not accepted in a character class", out error);
                }

                _at++;
                items++;
            }

            if (_at >= text.Length)
            {
                _at = start;
                return Fail("\"[\" is never closed", out error);
            }

            _at++;
            error = string.Empty;
            return true;
        }

        private char Peek(int ahead) => _at + ahead < text.Length ? text[_at + ahead] : '\0';

        private bool Fail(string message, out string error)
        {
            error = $"{message} (at character {_at + 1})";
            return false;
        }

        private static string Shown(char c) => c is >= ' ' and < '\x7f' ? c.ToString() : $"\\u{(int)c:X4}";
    }
}
