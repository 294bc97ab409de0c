using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Portico.Core.Manifests;

/// <summary>
/// Converts YAML text to JSON documents by streaming YamlDotNet's parser events into a Utf8JsonWriter.
/// Plain scalars are typed by the YAML 1.2 core schema (null, booleans, integers, floats); everything quoted
/// or tagged !!str stays a string. Aliases are expanded within a budget (no "billion laughs"); duplicate keys,
/// merge keys and non-scalar keys are errors, as kubectl would have them.
/// </summary>
internal sealed partial class YamlJsonConverter
{
    /// <summary>The most parser events one document may expand to, counting alias replays.</summary>
    public const int MaxEventsPerDocument = 2_000_000;

    private const int MaxDepth = 64;

    private readonly string _file;
    private readonly long _lineOffset;
    private readonly Parser _parser;
    private readonly Stack<IEnumerator<ParsingEvent>> _replays = new();
    private readonly Dictionary<string, List<ParsingEvent>> _anchors = new(StringComparer.Ordinal);
    private readonly List<(string Anchor, List<ParsingEvent> Events)> _recorders = [];
    private ParsingEvent? _lookahead;
    private int _events;
    private int _depth;

    private YamlJsonConverter(string file, string text, long lineOffset)
    {
        _file = file;
        _lineOffset = lineOffset;
        _parser = new Parser(new StringReader(text));
    }

    /// <summary>Converts every document in <paramref name="text"/>; <paramref name="lineOffset"/> is added to reported lines.</summary>
    public static List<YamlDocument> Convert(string file, string text, long lineOffset = 0) =>
        SimpleYamlReader.TryConvert(file, text, lineOffset) ?? ConvertWithParser(file, text, lineOffset);

    /// <summary>The general path: YamlDotNet's parser for any YAML (the fast reader declines what it does not cover).</summary>
    internal static List<YamlDocument> ConvertWithParser(string file, string text, long lineOffset = 0)
    {
        var converter = new YamlJsonConverter(file, text, lineOffset);
        try
        {
            return converter.ConvertStream();
        }
        catch (YamlException e)
        {
            throw new ManifestException(file, e.Start.Line + lineOffset, "YAML does not parse: " + OneLine(e.Message));
        }
    }

    private List<YamlDocument> ConvertStream()
    {
        var documents = new List<YamlDocument>();
        Expect<StreamStart>();
        while (!_parser.Accept<StreamEnd>(out _))
        {
            var start = Expect<DocumentStart>();
            _anchors.Clear();
            _events = 0;
            if (_parser.Accept<DocumentEnd>(out _))
            {
                _parser.MoveNext();
                continue;
            }

            var buffer = new ArrayBufferWriter<byte>(4096);
            var identity = new DocumentIdentity();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, MaxDepth = MaxDepth + 2 }))
            {
                WriteNode(writer, Next(), identity, path: RootPath.Root);
            }

            Expect<DocumentEnd>();
            if (identity.IsMapping)
            {
                documents.Add(new YamlDocument(_file, start.Start.Line + _lineOffset, buffer.WrittenSpan.ToArray(), identity.ApiVersion, identity.Kind, identity.Namespace, identity.Name));
            }
            else if (!identity.IsNull)
            {
                throw Error(start, "a manifest document must be a mapping (an object with apiVersion and kind)");
            }
        }

        return documents;
    }

    private void WriteNode(Utf8JsonWriter writer, ParsingEvent node, DocumentIdentity identity, RootPath path)
    {
        if (node is AnchorAlias alias)
        {
            if (!_anchors.TryGetValue(alias.Value.Value, out var recorded))
            {
                throw Error(alias, $"unknown alias *{alias.Value.Value}");
            }

            _replays.Push(((IEnumerable<ParsingEvent>)recorded).GetEnumerator());
            WriteNode(writer, Next(), identity, path);
            return;
        }

        var anchor = node switch
        {
            Scalar s => s.Anchor,
            MappingStart m => m.Anchor,
            SequenceStart q => q.Anchor,
            _ => AnchorName.Empty,
        };
        if (!anchor.IsEmpty)
        {
            // Record this node's events (itself included) so an alias can replay them.
            var events = new List<ParsingEvent> { node };
            _recorders.Add((anchor.Value, events));
        }

        switch (node)
        {
            case Scalar scalar:
                WriteScalar(writer, scalar, identity, path);
                break;
            case SequenceStart:
                EnterNesting(node);
                writer.WriteStartArray();
                while (Peek() is not SequenceEnd)
                {
                    WriteNode(writer, Next(), identity, RootPath.Nested);
                }

                Next();
                writer.WriteEndArray();
                _depth--;
                break;
            case MappingStart:
                EnterNesting(node);
                if (path == RootPath.Root)
                {
                    identity.IsMapping = true;
                }

                WriteMapping(writer, identity, path);
                _depth--;
                break;
            default:
                throw Error(node, $"unexpected YAML event {node.GetType().Name}");
        }

        if (!anchor.IsEmpty)
        {
            int index = _recorders.FindLastIndex(r => r.Anchor == anchor.Value);
            _anchors[anchor.Value] = _recorders[index].Events;
            _recorders.RemoveAt(index);
        }
    }

    private void WriteMapping(Utf8JsonWriter writer, DocumentIdentity identity, RootPath path)
    {
        writer.WriteStartObject();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Peek() is not MappingEnd)
        {
            var keyEvent = Next();
            if (keyEvent is not Scalar key)
            {
                throw Error(keyEvent, "mapping keys must be plain strings");
            }

            if (key.Value == "<<" && key.Style == ScalarStyle.Plain)
            {
                throw Error(key, "YAML merge keys (<<) are not supported; write the fields out");
            }

            if (!seen.Add(key.Value))
            {
                throw Error(key, $"duplicate key \"{key.Value}\"");
            }

            writer.WritePropertyName(key.Value);
            WriteNode(writer, Next(), identity, ChildPath(path, key.Value));
        }

        Next();
        writer.WriteEndObject();
    }

    private static void WriteScalar(Utf8JsonWriter writer, Scalar scalar, DocumentIdentity identity, RootPath path)
    {
        string value = scalar.Value;
        if (path == RootPath.Root)
        {
            identity.IsNull = scalar.Style == ScalarStyle.Plain && IsNull(value);
            if (!identity.IsNull)
            {
                throw new YamlException(scalar.Start, scalar.End, "a manifest document must be a mapping (an object with apiVersion and kind)");
            }
        }

        bool explicitString = !scalar.Tag.IsEmpty && scalar.Tag.Value is "tag:yaml.org,2002:str" or "!!str";
        WriteScalar(writer, value, typed: scalar.Style == ScalarStyle.Plain && !explicitString, identity, path);
    }

    /// <summary>
    /// Writes one scalar, noting it when it is one of the identifying fields. <paramref name="typed"/>: a plain,
    /// untagged scalar, typed by the core schema; anything else is a string.
    /// </summary>
    internal static void WriteScalar(Utf8JsonWriter writer, ReadOnlySpan<char> value, bool typed, DocumentIdentity identity, RootPath path)
    {
        switch (path)
        {
            case RootPath.ApiVersion:
                identity.ApiVersion = value.ToString();
                break;
            case RootPath.Kind:
                identity.Kind = value.ToString();
                break;
            case RootPath.Name:
                identity.Name = value.ToString();
                break;
            case RootPath.Namespace:
                identity.Namespace = value.ToString();
                break;
        }

        // Only null, booleans and numbers are typed, and none of them starts with a letter but n, t, f (any case).
        if (!typed || (value.Length > 0 && char.IsAsciiLetter(value[0]) && value[0] is not ('n' or 'N' or 't' or 'T' or 'f' or 'F')))
        {
            writer.WriteStringValue(value);
            return;
        }

        if (IsNull(value))
        {
            writer.WriteNullValue();
        }
        else if (value is "true" or "True" or "TRUE")
        {
            writer.WriteBooleanValue(true);
        }
        else if (value is "false" or "False" or "FALSE")
        {
            writer.WriteBooleanValue(false);
        }
        else if (DecimalInteger().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
        {
            writer.WriteNumberValue(integer);
        }
        else if (value.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(value[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long hex) && hex >= 0)
        {
            writer.WriteNumberValue(hex);
        }
        else if (value.StartsWith("0o", StringComparison.Ordinal) && OctalDigits().IsMatch(value[2..]))
        {
            writer.WriteNumberValue(System.Convert.ToInt64(value[2..].ToString(), 8));
        }
        else if (Float().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number))
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    internal static RootPath ChildPath(RootPath path, ReadOnlySpan<char> key) => path switch
    {
        RootPath.Root when key is "metadata" => RootPath.Metadata,
        RootPath.Root when key is "apiVersion" => RootPath.ApiVersion,
        RootPath.Root when key is "kind" => RootPath.Kind,
        RootPath.Metadata when key is "name" => RootPath.Name,
        RootPath.Metadata when key is "namespace" => RootPath.Namespace,
        _ => RootPath.Nested,
    };

    internal static bool IsNull(ReadOnlySpan<char> value) => value is "" or "~" or "null" or "Null" or "NULL";

    private void EnterNesting(ParsingEvent node)
    {
        if (++_depth > MaxDepth)
        {
            throw Error(node, $"nesting deeper than {MaxDepth} levels");
        }
    }

    /// <summary>The next event without consuming it.</summary>
    private ParsingEvent Peek() => _lookahead ??= Read();

    /// <summary>Consumes the next event.</summary>
    private ParsingEvent Next()
    {
        var next = _lookahead ?? Read();
        _lookahead = null;
        return next;
    }

    /// <summary>Reads from the innermost alias replay, else from the parser; feeds every open anchor recording.</summary>
    private ParsingEvent Read()
    {
        ParsingEvent current;
        while (true)
        {
            if (_replays.Count > 0)
            {
                var replay = _replays.Peek();
                if (replay.MoveNext())
                {
                    current = replay.Current;
                    break;
                }

                _replays.Pop();
                continue;
            }

            current = _parser.Consume<ParsingEvent>();
            break;
        }

        Count(current);
        if (current is not AnchorAlias)
        {
            // An alias is recorded as its expansion (the replayed events), never as the alias itself.
            foreach (var recorder in _recorders)
            {
                recorder.Events.Add(current);
            }
        }

        return current;
    }

    private void Count(ParsingEvent current)
    {
        if (++_events > MaxEventsPerDocument)
        {
            throw Error(current, $"document expands to more than {MaxEventsPerDocument:N0} YAML events (too large, or aliases nested too deeply)");
        }
    }

    private T Expect<T>()
        where T : ParsingEvent
    {
        var next = _parser.Consume<T>();
        return next;
    }

    private ManifestException Error(ParsingEvent at, string reason) => new(_file, at.Start.Line + _lineOffset, reason);

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    [GeneratedRegex(@"^[-+]?[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalInteger();

    [GeneratedRegex(@"^[0-7]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex OctalDigits();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Float();

    /// <summary>Where a node sits, as far as the identifying fields (apiVersion, kind, metadata.name/namespace) go.</summary>
    internal enum RootPath
    {
        Root,
        Metadata,
        ApiVersion,
        Kind,
        Name,
        Namespace,
        Nested,
    }

    internal sealed class DocumentIdentity
    {
        public bool IsMapping { get; set; }

        public bool IsNull { get; set; }

        public string? ApiVersion { get; set; }

        public string? Kind { get; set; }

        public string? Namespace { get; set; }

        public string? Name { get; set; }
    }
}
