using System.Globalization;
using System.Text;
using Portico.TestApiServer.Api;
using Portico.TestApiServer.Resources;

namespace Portico.TestApiServer.Selectors;

/// <summary>
/// A label selector in the real server's string syntax: <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a</c>, <c>!a</c>,
/// <c>a in (x,y)</c>, <c>a notin (x)</c>, <c>a&gt;1</c>, <c>a&lt;1</c>, joined by commas (AND). A selector that does
/// not parse is a 400 BadRequest, as from the real server.
/// </summary>
internal sealed class LabelSelector
{
    private readonly IReadOnlyList<Requirement> requirements;

    private LabelSelector(IReadOnlyList<Requirement> requirements) => this.requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public bool IsEmpty => requirements.Count == 0;

    public bool Matches(IReadOnlyDictionary<string, string> labels) => requirements.All(r => r.Matches(labels));

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        try
        {
            return new LabelSelector(new Parser(Lex(text)).ParseAll());
        }
        catch (FormatException e)
        {
            throw ApiException.BadRequest($"unable to parse requirement: {e.Message}");
        }
    }

    private enum Operator
    {
        Exists,
        DoesNotExist,
        Equals,
        NotEquals,
        In,
        NotIn,
        GreaterThan,
        LessThan,
    }

    private enum TokenKind
    {
        Identifier,
        Bang,
        Equals,
        DoubleEquals,
        NotEquals,
        In,
        NotIn,
        Open,
        Close,
        Comma,
        Greater,
        Less,
        End,
    }

    private readonly record struct Token(TokenKind Kind, string Text);

    private sealed record Requirement(string Key, Operator Op, IReadOnlyList<string> Values)
    {
        public bool Matches(IReadOnlyDictionary<string, string> labels)
        {
            var has = labels.TryGetValue(Key, out var value);
            return Op switch
            {
                Operator.Exists => has,
                Operator.DoesNotExist => !has,
                Operator.Equals or Operator.In => has && Values.Contains(value!, StringComparer.Ordinal),
                Operator.NotEquals or Operator.NotIn => !has || !Values.Contains(value!, StringComparer.Ordinal),
                Operator.GreaterThan => has && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var g)
                    && g > long.Parse(Values[0], CultureInfo.InvariantCulture),
                Operator.LessThan => has && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)
                    && l < long.Parse(Values[0], CultureInfo.InvariantCulture),
                _ => false,
            };
        }
    }

    private static List<Token> Lex(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            switch (c)
            {
                case '!' when i + 1 < text.Length && text[i + 1] == '=':
                    tokens.Add(new Token(TokenKind.NotEquals, "!="));
                    i += 2;
                    continue;
                case '!':
                    tokens.Add(new Token(TokenKind.Bang, "!"));
                    i++;
                    continue;
                case '=' when i + 1 < text.Length && text[i + 1] == '=':
                    tokens.Add(new Token(TokenKind.DoubleEquals, "=="));
                    i += 2;
                    continue;
                case '=':
                    tokens.Add(new Token(TokenKind.Equals, "="));
                    i++;
                    continue;
                case '(':
                    tokens.Add(new Token(TokenKind.Open, "("));
                    i++;
                    continue;
                case ')':
                    tokens.Add(new Token(TokenKind.Close, ")"));
                    i++;
                    continue;
                case ',':
                    tokens.Add(new Token(TokenKind.Comma, ","));
                    i++;
                    continue;
                case '>':
                    tokens.Add(new Token(TokenKind.Greater, ">"));
                    i++;
                    continue;
                case '<':
                    tokens.Add(new Token(TokenKind.Less, "<"));
                    i++;
                    continue;
                default:
                    break;
            }

            var word = new StringBuilder();
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && "!=(),><".IndexOf(text[i], StringComparison.Ordinal) < 0)
            {
                word.Append(text[i++]);
            }

            var identifier = word.ToString();
            tokens.Add(identifier switch
            {
                "in" => new Token(TokenKind.In, identifier),
                "notin" => new Token(TokenKind.NotIn, identifier),
                _ => new Token(TokenKind.Identifier, identifier),
            });
        }

        tokens.Add(new Token(TokenKind.End, "end of string"));
        return tokens;
    }

    private sealed class Parser(List<Token> tokens)
    {
        private int position;

        private Token Peek => tokens[position];

        private Token Next() => tokens[position++];

        public List<Requirement> ParseAll()
        {
            var result = new List<Requirement>();
            while (true)
            {
                if (Peek.Kind is TokenKind.Identifier or TokenKind.Bang)
                {
                    result.Add(ParseRequirement());
                }
                else if (Peek.Kind == TokenKind.End)
                {
                    return result;
                }
                else
                {
                    throw new FormatException($"found '{Peek.Text}', expected: !, identifier, or 'end of string'");
                }

                var after = Next();
                if (after.Kind == TokenKind.End)
                {
                    return result;
                }

                if (after.Kind != TokenKind.Comma)
                {
                    throw new FormatException($"found '{after.Text}', expected: ',' or 'end of string'");
                }

                if (Peek.Kind is not (TokenKind.Identifier or TokenKind.Bang))
                {
                    throw new FormatException($"found '{Peek.Text}', expected: identifier after ','");
                }
            }
        }

        private Requirement ParseRequirement()
        {
            var negated = false;
            if (Peek.Kind == TokenKind.Bang)
            {
                Next();
                negated = true;
            }

            var keyToken = Next();
            if (keyToken.Kind != TokenKind.Identifier)
            {
                throw new FormatException($"found '{keyToken.Text}', expected: identifier");
            }

            var key = keyToken.Text;
            if (ResourceValidation.LabelKeyProblem(key) is { } keyProblem)
            {
                throw new FormatException($"key: Invalid value: \"{key}\": {keyProblem}");
            }

            if (negated)
            {
                return new Requirement(key, Operator.DoesNotExist, []);
            }

            if (Peek.Kind is TokenKind.Comma or TokenKind.End)
            {
                return new Requirement(key, Operator.Exists, []);
            }

            var opToken = Next();
            var op = opToken.Kind switch
            {
                TokenKind.Equals or TokenKind.DoubleEquals => Operator.Equals,
                TokenKind.NotEquals => Operator.NotEquals,
                TokenKind.In => Operator.In,
                TokenKind.NotIn => Operator.NotIn,
                TokenKind.Greater => Operator.GreaterThan,
                TokenKind.Less => Operator.LessThan,
                _ => throw new FormatException($"found '{opToken.Text}', expected: in, notin, =, ==, !=, gt, lt"),
            };

            List<string> values;
            if (op is Operator.In or Operator.NotIn)
            {
                values = ParseSet();
            }
            else
            {
                values = [Peek.Kind == TokenKind.Identifier ? Next().Text : string.Empty];
                if (Peek.Kind is not (TokenKind.Comma or TokenKind.End))
                {
                    throw new FormatException($"found '{Peek.Text}', expected: ',' or 'end of string'");
                }
            }

            foreach (var value in values)
            {
                if (ResourceValidation.LabelValueProblem(value) is { } valueProblem)
                {
                    throw new FormatException($"values[0][{key}]: Invalid value: \"{value}\": {valueProblem}");
                }
            }

            if (op is Operator.GreaterThan or Operator.LessThan
                && !long.TryParse(values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            {
                throw new FormatException($"values[0]: Invalid value: \"{values[0]}\": for 'Gt', 'Lt' operators, the value must be an integer");
            }

            return new Requirement(key, op, values);
        }

        private List<string> ParseSet()
        {
            if (Next() is { Kind: not TokenKind.Open } open)
            {
                throw new FormatException($"found '{open.Text}', expected: '('");
            }

            var values = new List<string>();
            while (true)
            {
                var token = Next();
                switch (token.Kind)
                {
                    case TokenKind.Identifier:
                        values.Add(token.Text);
                        if (Peek.Kind == TokenKind.Comma)
                        {
                            Next();
                        }
                        else if (Peek.Kind != TokenKind.Close)
                        {
                            throw new FormatException($"found '{Peek.Text}', expected: ',' or ')'");
                        }

                        break;
                    case TokenKind.Close:
                        return values.Count == 0 ? [string.Empty] : values;
                    default:
                        throw new FormatException($"found '{token.Text}', expected: identifier or ')'");
                }
            }
        }
    }
}
