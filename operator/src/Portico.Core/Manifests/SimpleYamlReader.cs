using System.Buffers;
using System.Text;
using System.Text.Json;
using static Portico.Core.Manifests.YamlJsonConverter;

namespace Portico.Core.Manifests;

/// <summary>
/// A fast reader for the plain YAML that manifests are nearly always written in: block mappings and sequences,
/// one-line plain and quoted scalars, flow collections (JSON too), comments, "---" between documents. It writes the
/// same JSON, lines and identities as the YamlDotNet path in <see cref="YamlJsonConverter"/>, and it never decides
/// anything doubtful: on the first thing outside that subset (anchors, tags, block scalars, multi-line scalars,
/// merge keys, tabs, CR, directives, errors of any kind...) it declines the whole text, which then goes the general
/// way, where errors get their messages. It also declines when it fails in a way nobody foresaw: every exception but
/// a fatal one (<see cref="Attempt"/>) means "the general path decides". Differential tests hold the two paths to the
/// same output.
/// </summary>
internal sealed class SimpleYamlReader
{
    private const int MaxDepth = 64;
    private const int MaxNodesPerDocument = 1_000_000;
    private const int MaxImplicitKeyLength = 1024;

    private static readonly SearchValues<char> BlockPlainStops = SearchValues.Create(":#\n");
    private static readonly SearchValues<char> FlowPlainStops = SearchValues.Create(":#,[]{}\n\"'");
    private static readonly SearchValues<char> DoubleQuoteStops = SearchValues.Create("\"\n");
    private static readonly SearchValues<char> SingleQuoteStops = SearchValues.Create("'\n");

    private readonly string _text;
    private int _position;
    private int _depth;
    private int _nodes;
    private readonly List<KeySet> _keySets = [];

    private SimpleYamlReader(string text) => _text = text;

    /// <summary>The documents of <paramref name="text"/>, or null when the text is not all in the subset this reader covers.</summary>
    public static List<YamlDocument>? TryConvert(string file, string text, long lineOffset) =>
        Attempt(() => OnlySimpleCharacters(text) ? new SimpleYamlReader(text).ReadStream(file, lineOffset) : null);

    /// <summary>
    /// The one fence around the fast reader: its answer, or null — "the general path decides" — on any exception that
    /// is not fatal. A decline is one such exception; a bug (an index out of range, a format or overflow error) is
    /// another, and costs only time: the general path reads the same text and reports what is wrong with it.
    /// </summary>
    internal static List<YamlDocument>? Attempt(Func<List<YamlDocument>?> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (!IsFatal(e))
        {
            return null;
        }
    }

    /// <summary>
    /// Exceptions that must never be turned into a fallback: the process is out of memory or its state cannot be
    /// trusted (<see cref="OutOfMemoryException"/> and its <see cref="InsufficientMemoryException"/>, a stack
    /// overflow, an access violation), or the thread is asked to stop (interrupt, cancellation) — nothing the other
    /// reader could do better. <see cref="InsufficientExecutionStackException"/> is not among them: it is thrown
    /// before the stack runs out, and the general path has its own depth limit.
    /// </summary>
    internal static bool IsFatal(Exception e) =>
        e is OutOfMemoryException or StackOverflowException or AccessViolationException or ThreadInterruptedException or OperationCanceledException;

    /// <summary>Printable characters and '\n' only: no tab, CR, other line breaks, BOM, control or surrogate characters.</summary>
    private static bool OnlySimpleCharacters(string text)
    {
        var span = text.AsSpan();
        while (true)
        {
            int index = span.IndexOfAnyExceptInRange(' ', '~');
            if (index < 0)
            {
                return true;
            }

            char c = span[index];
            bool allowed = c == '\n'
                || (c >= '\u00A0' && c <= '\uD7FF' && c != '\u2028' && c != '\u2029')
                || (c >= '\uE000' && c <= '\uFFFD' && c != '\uFEFF');
            if (!allowed)
            {
                return false;
            }

            span = span[(index + 1)..];
        }
    }

    private List<YamlDocument> ReadStream(string file, long lineOffset)
    {
        var documents = new List<YamlDocument>();
        int countedTo = 0;
        int countedLines = 0;
        int LineAt(int position)
        {
            countedLines += _text.AsSpan(countedTo, position - countedTo).Count('\n');
            countedTo = position;
            return countedLines;
        }

        // One buffer and writer for all documents of the text; each document's JSON is copied out.
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, MaxDepth = MaxDepth + 2 });
        bool first = true;
        while (_position < _text.Length || first)
        {
            // A document starts at "---" (its line is the marker's) or, the first one only, implicitly at its first content.
            int documentLine = -1;
            if (IsMarkerLine(_position, '-'))
            {
                documentLine = LineAt(_position);
                SkipMarkerLine();
            }
            else if (!first)
            {
                throw Declined();
            }

            first = false;
            int indent = NextContentLine();
            if (indent < 0 || IsMarkerLine(_position - indent, '-'))
            {
                // An empty document (nothing, or only comments): no output.
                _position = indent < 0 ? _text.Length : _position - indent;
                continue;
            }

            if (documentLine < 0)
            {
                documentLine = LineAt(_position);
            }

            _nodes = 0;
            _depth = 0;
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            var identity = new DocumentIdentity { IsMapping = true };
            {
                if (_text[_position] == '{')
                {
                    ReadFlow(writer, identity, RootPath.Root, blockIndent: -1);
                    SkipSpaces();
                    if (!AtEndOfLineOrComment())
                    {
                        throw Declined();
                    }

                    EndOfLine();
                }
                else if (!IsSequenceEntry(_position) && LooksLikeKey(_position))
                {
                    ReadBlockMapping(writer, identity, RootPath.Root, indent);
                }
                else
                {
                    throw Declined();
                }
            }

            writer.Flush();

            // After the root node: the end of the text or the next document's marker.
            int after = PeekContentLine(out int contentStart);
            if (after >= 0 && (after != 0 || !IsMarkerLine(contentStart, '-')))
            {
                throw Declined();
            }

            _position = after < 0 ? _text.Length : contentStart;
            documents.Add(new YamlDocument(file, documentLine + 1 + lineOffset, buffer.WrittenSpan.ToArray(), identity.ApiVersion, identity.Kind, identity.Namespace, identity.Name));
        }

        return documents;
    }

    /// <summary>
    /// A block mapping whose keys sit at column <paramref name="indent"/>; the position is at its first key. Returns
    /// with the position at the start of the first line that does not belong to it (or at the end).
    /// </summary>
    private void ReadBlockMapping(Utf8JsonWriter writer, DocumentIdentity identity, RootPath path, int indent)
    {
        Enter();
        writer.WriteStartObject();
        var seen = KeysAtDepth();
        while (true)
        {
            // The position is at a key, at column `indent`.
            bool plain = _text[_position] is not ('"' or '\'');
            var key = ReadKey();
            if (plain && key.Span is "<<")
            {
                throw Declined();
            }

            key = JsonKey(key, plain);
            if (!seen.Add(key))
            {
                throw Declined();
            }

            writer.WritePropertyName(key.Span);
            var childPath = ChildPath(path, key.Span);
            SkipSpaces();
            if (AtEndOfLineOrComment())
            {
                // The value is on the lines below: deeper, or a sequence at this column; else there is none (null).
                EndOfLine();
                int next = PeekContentLine(out int contentStart);
                if (next > indent && !IsMarkerLine(contentStart - next, '-'))
                {
                    _position = contentStart;
                    ReadIndentedBlock(writer, identity, childPath, next);
                }
                else if (next == indent && IsSequenceEntry(contentStart))
                {
                    _position = contentStart;
                    ReadBlockSequence(writer, identity, childPath, indent);
                }
                else
                {
                    Scalar(writer, string.Empty, typed: true, identity, childPath);
                    Node();
                }
            }
            else
            {
                ReadInlineValue(writer, identity, childPath, indent);
            }

            // The position is at the start of a line (or the end): the next key at our column, or not ours.
            int here = PeekContentLine(out int start);
            bool marker = here == 0 && IsMarkerLine(start, '-');
            if (here == indent && !marker && !IsSequenceEntry(start))
            {
                _position = start;
                continue;
            }

            if (here > indent && !marker)
            {
                throw Declined();
            }

            break;
        }

        writer.WriteEndObject();
        _depth--;
    }

    /// <summary>A block sequence whose "-" sit at column <paramref name="indent"/>; the position is at its first "-".</summary>
    private void ReadBlockSequence(Utf8JsonWriter writer, DocumentIdentity identity, RootPath path, int indent)
    {
        Enter();
        writer.WriteStartArray();
        while (true)
        {
            _position++; // the '-'
            SkipSpaces();
            if (AtEndOfLineOrComment())
            {
                // The item is on the lines below, deeper; else there is none (null).
                EndOfLine();
                int next = PeekContentLine(out int contentStart);
                if (next > indent)
                {
                    _position = contentStart;
                    ReadIndentedBlock(writer, identity, RootPath.Nested, next);
                }
                else
                {
                    Scalar(writer, string.Empty, typed: true, identity, RootPath.Nested);
                    Node();
                }
            }
            else if (IsSequenceEntry(_position))
            {
                throw Declined(); // "- - a": a compact nested sequence
            }
            else if (LooksLikeKey(_position))
            {
                // "- key: value": a mapping whose keys sit at this column.
                ReadBlockMapping(writer, identity, RootPath.Nested, ColumnOf(_position));
            }
            else
            {
                ReadInlineValue(writer, identity, RootPath.Nested, indent);
            }

            int here = PeekContentLine(out int start);
            bool marker = here == 0 && IsMarkerLine(start, '-');
            if (here == indent && !marker && IsSequenceEntry(start))
            {
                _position = start;
                continue;
            }

            if (here > indent)
            {
                throw Declined();
            }

            break;
        }

        writer.WriteEndArray();
        _depth--;
    }

    /// <summary>A node on lines of its own at column <paramref name="indent"/>: a block mapping or sequence, nothing else.</summary>
    private void ReadIndentedBlock(Utf8JsonWriter writer, DocumentIdentity identity, RootPath path, int indent)
    {
        if (IsSequenceEntry(_position))
        {
            ReadBlockSequence(writer, identity, path, indent);
        }
        else if (LooksLikeKey(_position))
        {
            ReadBlockMapping(writer, identity, path, indent);
        }
        else
        {
            throw Declined(); // a scalar or flow collection on a line of its own
        }
    }

    /// <summary>
    /// A value on the same line as its key or "-": a one-line scalar or a flow collection, then nothing but a comment.
    /// Leaves the position at the start of the next line, which must not be deeper than <paramref name="indent"/>
    /// (that would go on with a multi-line scalar, or be an error).
    /// </summary>
    private void ReadInlineValue(Utf8JsonWriter writer, DocumentIdentity identity, RootPath path, int indent)
    {
        switch (_text[_position])
        {
            case '[' or '{':
                ReadFlow(writer, identity, path, indent);
                break;
            case '"' or '\'':
                Scalar(writer, ReadQuoted().Span, typed: false, identity, path);
                Node();
                break;
            default:
                Scalar(writer, ReadBlockPlain(isKey: false).Span, typed: true, identity, path);
                Node();
                break;
        }

        SkipSpaces();
        if (!AtEndOfLineOrComment())
        {
            throw Declined();
        }

        EndOfLine();
        if (PeekContentLine(out _) > indent)
        {
            throw Declined();
        }
    }

    /// <summary>A key of a block mapping: a one-line plain or quoted scalar, then ':' and a space or the line's end.</summary>
    private ReadOnlyMemory<char> ReadKey()
    {
        ReadOnlyMemory<char> key;
        int start = _position;
        char c = _text[_position];
        if (c is '"' or '\'')
        {
            key = ReadQuoted();
        }
        else
        {
            key = ReadBlockPlain(isKey: true);
        }

        if (_position - start > MaxImplicitKeyLength - 24 || _position >= _text.Length || _text[_position] != ':')
        {
            throw Declined();
        }

        _position++;
        if (_position < _text.Length && _text[_position] is not (' ' or '\n'))
        {
            throw Declined();
        }

        return key;
    }

    /// <summary>
    /// A plain scalar in block context, on one line: up to ": " (a key's end), " #" (a comment) or the line's end.
    /// A value must not hold ": "; a key stops at it with the position on the ':'.
    /// </summary>
    private ReadOnlyMemory<char> ReadBlockPlain(bool isKey)
    {
        int start = _position;
        if (!CanStartPlain(start))
        {
            throw Declined();
        }

        int end;
        int scan = start;
        while (true)
        {
            int stop = _text.AsSpan(scan).IndexOfAny(BlockPlainStops);
            end = stop < 0 ? _text.Length : scan + stop;
            if (end >= _text.Length || _text[end] == '\n')
            {
                break;
            }

            if (_text[end] == ':')
            {
                if (end + 1 >= _text.Length || _text[end + 1] is ' ' or '\n')
                {
                    if (!isKey)
                    {
                        throw Declined(); // "a: b: c", or a nested mapping on the value's line
                    }

                    break;
                }
            }
            else if (_text[end - 1] == ' ')
            {
                break; // " #": a comment
            }

            scan = end + 1;
        }

        int trimmed = end;
        while (trimmed > start && _text[trimmed - 1] == ' ')
        {
            trimmed--;
        }

        if (isKey && (trimmed != end || _text.AsSpan(start, end - start).Contains('*')))
        {
            throw Declined(); // "key : value"; and YamlDotNet refuses some keys with " *" in them
        }

        if (trimmed == start)
        {
            throw Declined();
        }

        _position = isKey ? end : trimmed;
        return _text.AsMemory(start, trimmed - start);
    }

    /// <summary>Whether a plain scalar may start here (no indicator but a '-' before a digit, letter or '.').</summary>
    private bool CanStartPlain(int at)
    {
        char c = _text[at];
        if (char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '$' or '~' or '(' or ')' or '+' or '=' or '^' or ';' or '<' or '\\' || c >= '\u00A0')
        {
            return true;
        }

        if (c == '-' && at + 1 < _text.Length)
        {
            char next = _text[at + 1];
            return char.IsAsciiLetterOrDigit(next) || next == '.';
        }

        return false;
    }

    /// <summary>A one-line quoted scalar: "..." with the common escapes, or '...' with ''. Anything else declines.</summary>
    private ReadOnlyMemory<char> ReadQuoted()
    {
        char quote = _text[_position];
        int start = _position + 1;
        if (quote == '\'')
        {
            var builder = default(StringBuilder);
            int from = start;
            int i = start;
            while (true)
            {
                int index = _text.AsSpan(i).IndexOfAny('\'', '\n');
                if (index < 0 || _text[i + index] == '\n')
                {
                    throw Declined();
                }

                i += index;
                if (i + 1 < _text.Length && _text[i + 1] == '\'')
                {
                    (builder ??= new StringBuilder()).Append(_text, from, i + 1 - from);
                    i += 2;
                    from = i;
                    continue;
                }

                _position = i + 1;
                return builder is null ? _text.AsMemory(from, i - from) : builder.Append(_text, from, i - from).ToString().AsMemory();
            }
        }

        {
            var builder = default(StringBuilder);
            int from = start;
            int i = start;
            while (true)
            {
                int index = _text.AsSpan(i).IndexOfAny('"', '\\', '\n');
                if (index < 0 || _text[i + index] == '\n')
                {
                    throw Declined();
                }

                i += index;
                if (_text[i] == '"')
                {
                    _position = i + 1;
                    return builder is null ? _text.AsMemory(from, i - from) : builder.Append(_text, from, i - from).ToString().AsMemory();
                }

                builder ??= new StringBuilder();
                builder.Append(_text, from, i - from);
                if (i + 1 >= _text.Length)
                {
                    throw Declined();
                }

                char escape = _text[i + 1];
                i += 2;
                switch (escape)
                {
                    case '"' or '\\' or '/':
                        builder.Append(escape);
                        break;
                    case 'n':
                        builder.Append('\n');
                        break;
                    case 't':
                        builder.Append('\t');
                        break;
                    case 'r':
                        builder.Append('\r');
                        break;
                    case 'b':
                        builder.Append('\b');
                        break;
                    case 'f':
                        builder.Append('\f');
                        break;
                    case 'u':
                        if (i + 4 > _text.Length || !ushort.TryParse(_text.AsSpan(i, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out ushort code)
                            || char.IsSurrogate((char)code) || code < 0x20)
                        {
                            throw Declined();
                        }

                        builder.Append((char)code);
                        i += 4;
                        break;
                    default:
                        throw Declined();
                }

                from = i;
            }
        }
    }

    /// <summary>
    /// A flow collection ([...] or {...}), possibly over several lines, each deeper than <paramref name="blockIndent"/>.
    /// Scalars in it are one-line; comments, empty entries, trailing commas, single-pair mappings in sequences, keys
    /// without values and plain scalars with ':' or '#' all decline.
    /// </summary>
    private void ReadFlow(Utf8JsonWriter writer, DocumentIdentity identity, RootPath path, int blockIndent)
    {
        Enter();
        Node();
        bool mapping = _text[_position] == '{';
        char close = mapping ? '}' : ']';
        _position++;
        if (mapping)
        {
            writer.WriteStartObject();
        }
        else
        {
            writer.WriteStartArray();
        }

        var seen = mapping ? KeysAtDepth() : null;
        SkipFlowSpace(blockIndent);
        if (_text[_position] == close)
        {
            _position++;
        }
        else
        {
            while (true)
            {
                if (mapping)
                {
                    bool plain = _text[_position] is not ('"' or '\'');
                    var key = plain ? ReadFlowPlain() : ReadQuoted();
                    if (plain && key.Span is "<<")
                    {
                        throw Declined();
                    }

                    key = JsonKey(key, plain);
                    if (!seen!.Add(key))
                    {
                        throw Declined();
                    }

                    SkipSpaces();
                    if (_position >= _text.Length || _text[_position] != ':')
                    {
                        throw Declined();
                    }

                    _position++;
                    writer.WritePropertyName(key.Span);
                    SkipFlowSpace(blockIndent);
                    ReadFlowValue(writer, identity, ChildPath(path, key.Span), blockIndent);
                }
                else
                {
                    ReadFlowValue(writer, identity, RootPath.Nested, blockIndent);
                }

                SkipFlowSpace(blockIndent);
                char c = _text[_position];
                if (c == close)
                {
                    _position++;
                    break;
                }

                if (c != ',')
                {
                    throw Declined();
                }

                _position++;
                SkipFlowSpace(blockIndent);
                if (_text[_position] is ',' or ']' or '}')
                {
                    throw Declined();
                }
            }
        }

        if (mapping)
        {
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteEndArray();
        }

        _depth--;
    }

    private void ReadFlowValue(Utf8JsonWriter writer, DocumentIdentity identity, RootPath path, int blockIndent)
    {
        switch (_text[_position])
        {
            case '[' or '{':
                ReadFlow(writer, identity, path, blockIndent);
                break;
            case '"' or '\'':
                Scalar(writer, ReadQuoted().Span, typed: false, identity, path);
                Node();
                break;
            default:
                Scalar(writer, ReadFlowPlain().Span, typed: true, identity, path);
                Node();
                break;
        }
    }

    /// <summary>A plain scalar in a flow collection: up to ',', ']', '}' or the line's end; ':' or '#' in it declines.</summary>
    private ReadOnlyMemory<char> ReadFlowPlain()
    {
        int start = _position;
        if (!CanStartPlain(start))
        {
            throw Declined();
        }

        int stop = _text.AsSpan(start).IndexOfAny(FlowPlainStops);
        int end = stop < 0 ? _text.Length : start + stop;
        if (end >= _text.Length || _text[end] is '#' or '[' or '{' or '"' or '\'')
        {
            throw Declined();
        }

        int trimmed = end;
        while (trimmed > start && _text[trimmed - 1] == ' ')
        {
            trimmed--;
        }

        if (_text[end] == ':')
        {
            if (_text.AsSpan(start, end - start).Contains('*'))
            {
                throw Declined();
            }

            // Only a key may end here, and only at ": ", ":," or ":}" (not "a:b", which is one scalar).
            if (trimmed != end || end + 1 >= _text.Length || _text[end + 1] is not (' ' or '\n' or ',' or '}' or ']'))
            {
                throw Declined();
            }
        }
        else if (_text[end] == '\n')
        {
            // A plain scalar at a line's end could go on in the next line: only if that line goes on with ',', ']' or '}'.
            int next = end + 1;
            while (next < _text.Length && _text[next] == ' ')
            {
                next++;
            }

            if (next >= _text.Length || _text[next] is not (',' or ']' or '}'))
            {
                throw Declined();
            }
        }

        _position = trimmed;
        return _text.AsMemory(start, trimmed - start);
    }

    /// <summary>Spaces and line breaks inside a flow collection; a continuation line must be deeper than the block around it.</summary>
    private void SkipFlowSpace(int blockIndent)
    {
        while (true)
        {
            SkipSpaces();
            if (_position >= _text.Length)
            {
                throw Declined();
            }

            if (_text[_position] != '\n')
            {
                return;
            }

            _position++;
            int lineStart = _position;
            SkipSpaces();
            if (_position >= _text.Length || (_text[_position] != '\n' && _position - lineStart <= blockIndent) || _text[_position] == '#'
                || IsMarkerLine(lineStart, '-') || IsMarkerLine(lineStart, '.'))
            {
                throw Declined();
            }
        }
    }

    /// <summary>
    /// Moves from the current line start to the first content line (past blank and comment lines), to its first
    /// non-space character; returns its indent, or -1 (and moves to the end) when there is none.
    /// </summary>
    private int NextContentLine()
    {
        int indent = PeekContentLine(out int contentStart);
        _position = contentStart;
        return indent;
    }

    /// <summary>
    /// Looks from the current line start for the next content line (past blank and comment lines) without moving:
    /// its indent, -1 at the end of the text; <paramref name="contentStart"/> is where its content starts (the
    /// text's length at the end). A "..." marker or a '%' directive line declines.
    /// </summary>
    private int PeekContentLine(out int contentStart)
    {
        int position = _position;
        while (position < _text.Length)
        {
            int lineStart = position;
            while (position < _text.Length && _text[position] == ' ')
            {
                position++;
            }

            if (position < _text.Length && _text[position] is not ('\n' or '#'))
            {
                if (position == lineStart && (_text[position] == '%' || IsMarkerLine(lineStart, '.')))
                {
                    throw Declined();
                }

                contentStart = position;
                return position - lineStart;
            }

            int newline = _text.IndexOf('\n', position);
            if (newline < 0)
            {
                break;
            }

            position = newline + 1;
        }

        contentStart = _text.Length;
        return -1;
    }

    /// <summary>"---" or "..." at <paramref name="lineStart"/>, followed by a space or the line's end.</summary>
    private bool IsMarkerLine(int lineStart, char c) =>
        lineStart + 3 <= _text.Length
        && _text[lineStart] == c && _text[lineStart + 1] == c && _text[lineStart + 2] == c
        && (lineStart + 3 == _text.Length || _text[lineStart + 3] is ' ' or '\n');

    /// <summary>Past a "---" line: only spaces and a comment may follow the marker.</summary>
    private void SkipMarkerLine()
    {
        _position += 3;
        SkipSpaces();
        if (!AtEndOfLineOrComment())
        {
            throw Declined();
        }

        EndOfLine();
    }

    private bool IsSequenceEntry(int at) =>
        at < _text.Length && _text[at] == '-' && (at + 1 == _text.Length || _text[at + 1] is ' ' or '\n');

    /// <summary>Whether a block mapping key starts here: a one-line scalar followed by ':' and a space or the line's end.</summary>
    private bool LooksLikeKey(int at)
    {
        char c = _text[at];
        if (c is '"' or '\'')
        {
            var stops = c == '"' ? DoubleQuoteStops : SingleQuoteStops;
            int close = IndexOfAny(at + 1, stops);
            while (close >= 0 && _text[close] != '\n' && c == '"' && IsEscaped(close))
            {
                close = IndexOfAny(close + 1, stops);
            }

            return close >= 0 && _text[close] != '\n' && close + 1 < _text.Length && _text[close + 1] == ':';
        }

        if (!CanStartPlain(at))
        {
            return false;
        }

        int i = at;
        while (i < _text.Length && _text[i] != '\n')
        {
            if (_text[i] == ':' && (i + 1 == _text.Length || _text[i + 1] is ' ' or '\n'))
            {
                return true;
            }

            if (_text[i] == '#' && _text[i - 1] == ' ')
            {
                return false;
            }

            i++;
        }

        return false;
    }

    private int IndexOfAny(int from, SearchValues<char> values)
    {
        int index = _text.AsSpan(from).IndexOfAny(values);
        return index < 0 ? -1 : from + index;
    }

    private bool IsEscaped(int quote)
    {
        int backslashes = 0;
        for (int i = quote - 1; i >= 0 && _text[i] == '\\'; i--)
        {
            backslashes++;
        }

        return backslashes % 2 == 1;
    }

    private int ColumnOf(int at)
    {
        int lineStart = _text.LastIndexOf('\n', at - 1) + 1;
        return at - lineStart;
    }

    private void SkipSpaces()
    {
        while (_position < _text.Length && _text[_position] == ' ')
        {
            _position++;
        }
    }

    /// <summary>At the line's end, or at a comment (a '#' after a space, or at the start of what is left).</summary>
    private bool AtEndOfLineOrComment() =>
        _position >= _text.Length || _text[_position] == '\n' || (_text[_position] == '#' && _text[_position - 1] == ' ');

    /// <summary>To the start of the next line (or the end of the text).</summary>
    private void EndOfLine()
    {
        int newline = _text.IndexOf('\n', _position);
        _position = newline < 0 ? _text.Length : newline + 1;
    }

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw Declined();
        }
    }

    private void Node()
    {
        if (++_nodes > MaxNodesPerDocument)
        {
            throw Declined();
        }
    }

    /// <summary>The (cleared) key set of the mapping at the current depth, reused from mapping to mapping.</summary>
    private KeySet KeysAtDepth()
    {
        while (_keySets.Count <= _depth)
        {
            _keySets.Add(new KeySet());
        }

        var keys = _keySets[_depth];
        keys.Clear();
        return keys;
    }

    /// <summary>A scalar as the general path writes it; a float JSON cannot hold (.inf) is the general path's to report.</summary>
    private static void Scalar(Utf8JsonWriter writer, ReadOnlySpan<char> value, bool typed, DocumentIdentity identity, RootPath path)
    {
        if (!TryWriteScalar(writer, value, typed, identity, path))
        {
            throw Declined();
        }
    }

    /// <summary>A key's JSON name, as the general path gives it (a plain <c>yes</c> is "true"); a key kubectl refuses declines.</summary>
    private static ReadOnlyMemory<char> JsonKey(ReadOnlyMemory<char> key, bool plain) =>
        !TryConvertKey(key.Span, plain, out string? converted) ? throw Declined()
        : converted is null ? key
        : converted.AsMemory();

    private static DeclinedException Declined() => new();

    /// <summary>The keys of one mapping so far, for duplicates: a list while small, a hash set when large.</summary>
    private sealed class KeySet
    {
        private const int ListLimit = 16;
        private readonly List<ReadOnlyMemory<char>> _keys = [];
        private HashSet<string>? _large;

        public void Clear()
        {
            _keys.Clear();
            _large = null;
        }

        /// <summary>False when the key is already there.</summary>
        public bool Add(ReadOnlyMemory<char> key)
        {
            if (_large is not null)
            {
                return _large.Add(key.ToString());
            }

            foreach (var known in _keys)
            {
                if (known.Span.SequenceEqual(key.Span))
                {
                    return false;
                }
            }

            _keys.Add(key);
            if (_keys.Count > ListLimit)
            {
                _large = new HashSet<string>(_keys.Select(k => k.ToString()), StringComparer.Ordinal);
                _keys.Clear();
            }

            return true;
        }
    }

    /// <summary>Outside the subset: the text goes the general way.</summary>
    private sealed class DeclinedException : Exception
    {
    }
}
