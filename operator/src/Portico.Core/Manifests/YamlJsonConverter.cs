using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Portico.Core.Manifests;

/// <summary>
/// Converts YAML text to JSON documents by streaming YamlDotNet's parser events into a Utf8JsonWriter.
/// Plain scalars are typed as kubectl types them (sigs.k8s.io/yaml over go-yaml v2: YAML 1.1 booleans such as
/// <c>yes</c>/<c>off</c>, <c>010</c> octal, <c>0x</c>/<c>0o</c>/<c>0b</c>, <c>_</c> in numbers; see
/// <see cref="Resolve"/>); everything quoted or tagged !!str stays a string, and non-string keys become their JSON
/// text. Aliases are expanded within a budget (no "billion laughs"); <c>&lt;&lt;</c> merge keys are applied as
/// go-yaml v2 applies them; duplicate keys, non-scalar keys and floats JSON cannot hold are errors.
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
    private readonly bool _mergeMode;
    private long _lastLine = 1;
    private ParsingEvent? _lookahead;
    private int _events;
    private int _depth;

    private YamlJsonConverter(string file, string text, long lineOffset, bool mergeMode)
    {
        _file = file;
        _lineOffset = lineOffset;
        _mergeMode = mergeMode;
        _parser = new Parser(new StringReader(text));
    }

    /// <summary>How kubectl's YAML decoding types a plain scalar: the go-yaml v2 resolver, then JSON.</summary>
    internal enum ScalarKind
    {
        String,
        Null,
        Boolean,
        Integer,
        Unsigned,
        Float,

        /// <summary><c>.inf</c>, <c>-.inf</c>, <c>.nan</c>: floats JSON cannot hold (kubectl refuses the document).</summary>
        NotFinite,
    }

    /// <summary>Converts every document in <paramref name="text"/>; <paramref name="lineOffset"/> is added to reported lines.</summary>
    public static List<YamlDocument> Convert(string file, string text, long lineOffset = 0) =>
        SimpleYamlReader.TryConvert(file, text, lineOffset) ?? ConvertWithParser(file, text, lineOffset);

    /// <summary>
    /// The general path: YamlDotNet's parser for any YAML (the fast reader declines what it does not cover). A text
    /// with a merge key is read again in merge mode, where every mapping is assembled before it is written.
    /// </summary>
    internal static List<YamlDocument> ConvertWithParser(string file, string text, long lineOffset = 0)
    {
        // A byte order mark read as text (a string from stdin, or decoded without detection): YAML allows it there.
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        YamlJsonConverter? converter = null;
        try
        {
            try
            {
                converter = new YamlJsonConverter(file, text, lineOffset, mergeMode: false);
                return converter.ConvertStream();
            }
            catch (MergeKeyFoundException)
            {
                converter = new YamlJsonConverter(file, text, lineOffset, mergeMode: true);
                return converter.ConvertStream();
            }
        }
        catch (YamlException e)
        {
            throw new ManifestException(file, e.Start.Line + lineOffset, "YAML does not parse: " + OneLine(e.Message));
        }
        catch (Exception e) when (e is not ManifestException && !SimpleYamlReader.IsFatal(e))
        {
            // YamlDotNet fails on some malformed input with other exceptions (InvalidOperationException on a flow
            // mapping that goes on at a shallower line): still input that does not parse, at the last line read.
            throw new ManifestException(file, (converter?._lastLine ?? 1) + lineOffset, "YAML does not parse: " + OneLine(e.Message));
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
            if (identity.IsMapping && _mergeMode)
            {
                IdentifyFromJson(buffer.WrittenSpan, identity);
            }

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
        if (_mergeMode)
        {
            WriteMergedMapping(writer, identity, path);
            return;
        }

        writer.WriteStartObject();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Peek() is not MappingEnd)
        {
            var key = ReadKey();
            if (IsMergeKey(key))
            {
                throw new MergeKeyFoundException();
            }

            string name = KeyName(key);
            if (!seen.Add(name))
            {
                throw Error(key, $"duplicate key \"{name}\"");
            }

            writer.WritePropertyName(name);
            WriteNode(writer, Next(), identity, ChildPath(path, name));
        }

        Next();
        writer.WriteEndObject();
    }

    /// <summary>
    /// A mapping in a text with merge keys, as go-yaml v2 (kubectl) builds it: entries in document order, each setting
    /// its key, so a later entry wins — a <c>&lt;&lt;</c> sets every key of the mapping it names (of a sequence of
    /// mappings: the first one's keys win among them). A key written out twice is still a duplicate.
    /// </summary>
    private void WriteMergedMapping(Utf8JsonWriter writer, DocumentIdentity identity, RootPath path)
    {
        var entries = new OrderedDictionary<string, byte[]>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Peek() is not MappingEnd)
        {
            var key = ReadKey();
            if (IsMergeKey(key))
            {
                Merge(key, entries);
                continue;
            }

            string name = KeyName(key);
            if (!seen.Add(name))
            {
                throw Error(key, $"duplicate key \"{name}\"");
            }

            entries[name] = WriteToBytes(Next(), identity, ChildPath(path, name));
        }

        Next();
        writer.WriteStartObject();
        foreach (var (name, json) in entries)
        {
            writer.WritePropertyName(name);
            writer.WriteRawValue(json, skipInputValidation: true);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// The value of a merge key: a mapping, an alias of one, or a sequence of those (go-yaml v2's rule: an alias of a
    /// sequence does not do). Of a sequence, the earlier mappings' keys take precedence.
    /// </summary>
    private void Merge(Scalar key, OrderedDictionary<string, byte[]> entries)
    {
        var value = Next();
        bool aliasOfOther = value is AnchorAlias alias && _anchors.TryGetValue(alias.Value.Value, out var recorded) && recorded[0] is not MappingStart;
        if (value is Scalar || aliasOfOther)
        {
            throw Error(key, MergeNeedsMappings);
        }

        using var document = JsonDocument.Parse(WriteToBytes(value, new DocumentIdentity(), RootPath.Nested));
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object)
        {
            SetAll(entries, root);
            return;
        }

        var items = root.EnumerateArray().ToList();
        if (items.Any(i => i.ValueKind != JsonValueKind.Object))
        {
            throw Error(key, MergeNeedsMappings);
        }

        for (int i = items.Count - 1; i >= 0; i--)
        {
            SetAll(entries, items[i]);
        }
    }

    private static void SetAll(OrderedDictionary<string, byte[]> entries, JsonElement mapping)
    {
        foreach (var property in mapping.EnumerateObject())
        {
            entries[property.Name] = System.Text.Encoding.UTF8.GetBytes(property.Value.GetRawText());
        }
    }

    /// <summary>One node written on its own, for a mapping assembled in merge mode.</summary>
    private byte[] WriteToBytes(ParsingEvent node, DocumentIdentity identity, RootPath path)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, MaxDepth = MaxDepth + 2 }))
        {
            WriteNode(writer, node, identity, path);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>In merge mode the identifying fields are read from the finished JSON: a merged value may have replaced them.</summary>
    private static void IdentifyFromJson(ReadOnlySpan<byte> json, DocumentIdentity identity)
    {
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        static string? Text(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
                ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())
                : null;
        var root = document.RootElement;
        var metadata = root.TryGetProperty("metadata", out var m) ? m : default;
        identity.ApiVersion = Text(root, "apiVersion");
        identity.Kind = Text(root, "kind");
        identity.Name = Text(metadata, "name");
        identity.Namespace = Text(metadata, "namespace");
    }

    private Scalar ReadKey()
    {
        var keyEvent = Next();
        return keyEvent as Scalar ?? throw Error(keyEvent, "mapping keys must be plain strings");
    }

    private static bool IsMergeKey(Scalar key) => key.Value == "<<" && key.Style == ScalarStyle.Plain && key.Tag.IsEmpty;

    /// <summary>The JSON name of a key: its text, or for a plain key its typed value's text, as kubectl writes it.</summary>
    private string KeyName(Scalar key)
    {
        if (!TryConvertKey(key.Value, IsTyped(key), out string? converted))
        {
            string what = Resolve(key.Value, out _, out _, out _) == ScalarKind.Null ? "null" : "an integer beyond int64";
            throw Error(key, $"the key {Model.Printable.Quote(key.Value)} is {what}, which kubectl refuses as a key too (quote it for a string key)");
        }

        return converted ?? key.Value;
    }

    /// <summary>
    /// Whether a scalar is typed by <see cref="Resolve"/>, as go-yaml v2 decides: a plain one without a tag, or one
    /// of any style tagged <c>!!int</c>, <c>!!float</c>, <c>!!bool</c> or <c>!!null</c> — whose text must then read
    /// as that type (an integer does for <c>!!float</c>), else it is an error as in kubectl ("cannot decode !!str
    /// `abc` as a !!int"). Any other tag (<c>!!str</c>, <c>!!timestamp</c>, <c>!custom</c>...) gives a string.
    /// </summary>
    private bool IsTyped(Scalar scalar)
    {
        if (scalar.Tag.IsEmpty)
        {
            return scalar.Style == ScalarStyle.Plain;
        }

        string tag = scalar.Tag.Value.StartsWith("tag:yaml.org,2002:", StringComparison.Ordinal) ? "!!" + scalar.Tag.Value["tag:yaml.org,2002:".Length..] : scalar.Tag.Value;
        if (tag is not ("!!int" or "!!float" or "!!bool" or "!!null"))
        {
            return false;
        }

        var kind = Resolve(scalar.Value, out _, out _, out _);
        bool fits = tag switch
        {
            "!!int" => kind is ScalarKind.Integer or ScalarKind.Unsigned,
            "!!float" => kind is ScalarKind.Float or ScalarKind.NotFinite or ScalarKind.Integer or ScalarKind.Unsigned,
            "!!bool" => kind is ScalarKind.Boolean,
            _ => kind is ScalarKind.Null,
        };
        return fits ? true : throw Error(scalar, $"{Model.Printable.Quote(scalar.Value)} does not read as the {tag} its tag says (kubectl refuses it too)");
    }

    private void WriteScalar(Utf8JsonWriter writer, Scalar scalar, DocumentIdentity identity, RootPath path)
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

        if (!TryWriteScalar(writer, value, IsTyped(scalar), identity, path))
        {
            throw Error(scalar, $"{Model.Printable.Quote(value)} is a float that JSON cannot hold, which kubectl refuses too (quote it for a string)");
        }
    }

    /// <summary>
    /// Writes one scalar, noting it when it is one of the identifying fields. <paramref name="typed"/>: a plain,
    /// untagged scalar, typed by <see cref="Resolve"/>; anything else is a string. False, with nothing written, for
    /// a float JSON cannot hold (<c>.inf</c>, <c>.nan</c>).
    /// </summary>
    internal static bool TryWriteScalar(Utf8JsonWriter writer, ReadOnlySpan<char> value, bool typed, DocumentIdentity identity, RootPath path)
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

        long integer = 0;
        ulong unsigned = 0;
        double number = 0;
        var kind = typed ? Resolve(value, out integer, out unsigned, out number) : ScalarKind.String;
        switch (kind)
        {
            case ScalarKind.Null:
                writer.WriteNullValue();
                break;
            case ScalarKind.Boolean:
                writer.WriteBooleanValue(integer != 0);
                break;
            case ScalarKind.Integer:
                writer.WriteNumberValue(integer);
                break;
            case ScalarKind.Unsigned:
                writer.WriteNumberValue(unsigned);
                break;
            case ScalarKind.Float:
                writer.WriteNumberValue(number);
                break;
            case ScalarKind.NotFinite:
                return false;
            default:
                writer.WriteStringValue(value);
                break;
        }

        return true;
    }

    /// <summary>
    /// Types a plain scalar as go-yaml v2's resolver does (the YAML library under sigs.k8s.io/yaml, which kubectl and
    /// the API machinery use to turn YAML into JSON): YAML 1.1 booleans (y, yes, on, true, n, no, off, false in three
    /// cases), nulls (empty, ~, null), integers by Go's <c>strconv.ParseInt(s, 0, 64)</c> after removing every
    /// <c>_</c> (so <c>010</c> is octal 8, <c>0o10</c> 8, <c>0x1F</c> 31, <c>0b11</c> 3, <c>1_000</c> 1000), then
    /// unsigned 64-bit integers, then decimal floats; <c>.inf</c>/<c>.nan</c> are floats JSON cannot hold. Everything
    /// else — timestamps too — is a string. <paramref name="integer"/> is 1 or 0 for a boolean.
    /// </summary>
    internal static ScalarKind Resolve(ReadOnlySpan<char> value, out long integer, out ulong unsigned, out double number)
    {
        integer = 0;
        unsigned = 0;
        number = 0;
        if (value.IsEmpty)
        {
            return ScalarKind.Null;
        }

        char first = value[0];
        bool numeric = char.IsAsciiDigit(first) || first is '+' or '-' or '.';
        if (!numeric && first is not ('y' or 'Y' or 'n' or 'N' or 't' or 'T' or 'f' or 'F' or 'o' or 'O' or '~'))
        {
            return ScalarKind.String;
        }

        switch (value)
        {
            case "y" or "Y" or "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON":
                integer = 1;
                return ScalarKind.Boolean;
            case "n" or "N" or "no" or "No" or "NO" or "false" or "False" or "FALSE" or "off" or "Off" or "OFF":
                return ScalarKind.Boolean;
            case "~" or "null" or "Null" or "NULL":
                return ScalarKind.Null;
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                number = double.PositiveInfinity;
                return ScalarKind.NotFinite;
            case "-.inf" or "-.Inf" or "-.INF":
                number = double.NegativeInfinity;
                return ScalarKind.NotFinite;
            case ".nan" or ".NaN" or ".NAN":
                number = double.NaN;
                return ScalarKind.NotFinite;
        }

        if (!numeric)
        {
            return ScalarKind.String;
        }

        if (first == '.')
        {
            // strconv.ParseFloat on the text as it is (no '_' removed): only ".5", ".5e3" and the like.
            return Float().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number)
                ? ScalarKind.Float
                : ScalarKind.String;
        }

        Span<char> buffer = value.Length <= 128 ? stackalloc char[value.Length] : new char[value.Length];
        int length = 0;
        foreach (char c in value)
        {
            if (c != '_')
            {
                buffer[length++] = c;
            }
        }

        var plain = buffer[..length];
        if (GoParseInteger(plain, out bool negative, out ulong magnitude))
        {
            if (negative ? magnitude <= 1UL << 63 : magnitude <= long.MaxValue)
            {
                integer = negative ? (long)(0 - magnitude) : (long)magnitude;
                return ScalarKind.Integer;
            }

            if (!negative && plain[0] != '+')
            {
                unsigned = magnitude;
                return ScalarKind.Unsigned;
            }
        }

        return Float().IsMatch(plain) && double.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number)
            ? ScalarKind.Float
            : ScalarKind.String;
    }

    /// <summary>
    /// Go's integer syntax for <c>strconv.ParseInt(s, 0, 64)</c> (underscores already removed): a sign, then
    /// <c>0x</c>, <c>0o</c>, <c>0b</c> (either case) or a leading <c>0</c> (octal), or decimal. False when not an
    /// integer or beyond 64 bits.
    /// </summary>
    private static bool GoParseInteger(ReadOnlySpan<char> s, out bool negative, out ulong magnitude)
    {
        magnitude = 0;
        negative = false;
        if (!s.IsEmpty && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        int radix = 10;
        if (s.Length >= 2 && s[0] == '0')
        {
            radix = s[1] switch
            {
                'x' or 'X' => 16,
                'o' or 'O' => 8,
                'b' or 'B' => 2,
                _ => 0,
            };
            s = radix == 0 ? s[1..] : s[2..];
            radix = radix == 0 ? 8 : radix;
        }

        if (s.IsEmpty)
        {
            return false;
        }

        foreach (char c in s)
        {
            int digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => int.MaxValue,
            };
            if (digit >= radix || magnitude > (ulong.MaxValue - (ulong)digit) / (ulong)radix)
            {
                return false;
            }

            magnitude = (magnitude * (ulong)radix) + (ulong)digit;
        }

        return true;
    }

    /// <summary>
    /// The JSON name of a mapping key as kubectl writes it: a string key as it is (<paramref name="converted"/> null);
    /// a plain key that types as a boolean, integer or float becomes that value's text (<c>yes</c> and <c>on</c>
    /// become "true", <c>0x10</c> "16", a float Go's <c>FormatFloat(f, 'g', -1, 32)</c>). False when kubectl refuses
    /// the key: null, or an integer beyond int64.
    /// </summary>
    internal static bool TryConvertKey(ReadOnlySpan<char> key, bool typed, out string? converted)
    {
        converted = null;
        if (!typed)
        {
            return true;
        }

        switch (Resolve(key, out long integer, out _, out double number))
        {
            case ScalarKind.String:
                return true;
            case ScalarKind.Boolean:
                converted = integer != 0 ? "true" : "false";
                return true;
            case ScalarKind.Integer:
                converted = integer.ToString(CultureInfo.InvariantCulture);
                return true;
            case ScalarKind.Float or ScalarKind.NotFinite:
                converted = GoFloat32Text(number);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Go's <c>strconv.FormatFloat(f, 'g', -1, 32)</c>, with infinities and NaN as YAML writes them.</summary>
    internal static string GoFloat32Text(double value)
    {
        if (double.IsNaN(value))
        {
            return ".nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? ".inf" : "-.inf";
        }

        float single = (float)value;
        if (float.IsInfinity(single))
        {
            return single > 0 ? ".inf" : "-.inf";
        }

        // The shortest digits that give back this float32, and where the decimal point goes.
        string shortest = single.ToString("E8", CultureInfo.InvariantCulture);
        for (int precision = 0; precision <= 8; precision++)
        {
            string candidate = single.ToString("E" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (float.Parse(candidate, CultureInfo.InvariantCulture) == single)
            {
                shortest = candidate;
                break;
            }
        }

        bool negative = shortest.StartsWith('-');
        int e = shortest.IndexOf('E', StringComparison.Ordinal);
        string digits = shortest[(negative ? 1 : 0)..e].Replace(".", string.Empty, StringComparison.Ordinal).TrimEnd('0');
        int exponent = int.Parse(shortest[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        string sign = negative ? "-" : string.Empty;
        if (digits.Length == 0)
        {
            return sign + "0";
        }

        if (exponent < -4 || exponent >= 6)
        {
            string mantissa = digits.Length > 1 ? digits[..1] + "." + digits[1..] : digits;
            string exponentText = Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
            return $"{sign}{mantissa}e{(exponent < 0 ? '-' : '+')}{exponentText}";
        }

        int point = exponent + 1;
        if (point <= 0)
        {
            return sign + "0." + new string('0', -point) + digits;
        }

        return digits.Length <= point ? sign + digits + new string('0', point - digits.Length) : sign + digits[..point] + "." + digits[point..];
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
            _lastLine = current.Start.Line;
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

    /// <summary>go-yaml v2's <c>yamlStyleFloat</c>: the only texts it hands to <c>strconv.ParseFloat</c>.</summary>
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

    private const string MergeNeedsMappings = "a merge key (<<) needs a mapping, an alias of one, or a sequence of those as its value";

    /// <summary>A merge key was met: the text is read again in merge mode.</summary>
    private sealed class MergeKeyFoundException : Exception
    {
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
