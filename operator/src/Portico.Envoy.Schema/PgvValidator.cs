using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Validate;

namespace Portico.Envoy.Schema;

/// <summary>
/// The protoc-gen-validate rules Envoy enforces when it loads config, read from the compiled field options and checked
/// over a parsed message tree, Any payloads included. Covered: required messages and oneofs; string length, bytes,
/// pattern (RE2 syntax that .NET reads the same way), prefix/suffix/contains, in/not_in and the HTTP header
/// well-known regexes; numeric const/lt/lte/gt/gte/in/not_in (also through wrapper types); enum defined_only;
/// repeated min/max items, unique and per-item rules; map min/max pairs; duration and Any required/in. Not covered
/// (Portico sets no field they guard): timestamp rules, email/hostname/ip/uri/address string formats, bytes
/// patterns. Setting a field marked deprecated is also reported: Portico must not depend on what Envoy will drop.
/// </summary>
internal sealed class PgvValidator
{
    private const int MaxDepth = 100;

    private static readonly Dictionary<string, Regex> Patterns = new(StringComparer.Ordinal);

    private readonly List<string> _problems;

    public PgvValidator(List<string> problems)
    {
        _problems = problems;
    }

    public void Check(IMessage message, string path) => CheckMessage(message, path, 0);

    private void CheckMessage(IMessage message, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            _problems.Add($"{path}: nested deeper than {MaxDepth}");
            return;
        }

        var descriptor = message.Descriptor;
        if (descriptor.GetOptions()?.GetExtension(ValidateExtensions.Disabled) == true)
        {
            return;
        }

        if (message is Any any)
        {
            var inner = EnvoyTypes.Unpack(any);
            if (inner is null)
            {
                _problems.Add($"{path}: @type {any.TypeUrl} is not a known message type");
                return;
            }

            CheckMessage(inner, path, depth + 1);
            return;
        }

        foreach (var oneof in descriptor.Oneofs.Where(o => !o.IsSynthetic))
        {
            if (oneof.GetOptions()?.GetExtension(ValidateExtensions.Required) == true && oneof.Accessor.GetCaseFieldDescriptor(message) is null)
            {
                _problems.Add($"{path}: one of {string.Join(", ", oneof.Fields.Select(f => f.JsonName))} is required");
            }
        }

        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            CheckField(message, field, path, depth);
        }
    }

    private void CheckField(IMessage message, FieldDescriptor field, string path, int depth)
    {
        string fieldPath = $"{path}.{field.Name}";
        bool inOneof = field.RealContainingOneof is not null;
        if (inOneof && field.RealContainingOneof!.Accessor.GetCaseFieldDescriptor(message) != field)
        {
            return;
        }

        object? value = field.Accessor.GetValue(message);
        bool isSet = IsSet(field, value, inOneof, message);
        if (isSet && field.GetOptions()?.Deprecated == true)
        {
            _problems.Add($"{fieldPath}: is deprecated in Envoy's API; Portico must not set it");
        }

        var rules = field.GetOptions()?.GetExtension(ValidateExtensions.Rules);
        if (field.IsMap)
        {
            var map = (IDictionary)value!;
            CheckMap(map, rules?.Map, fieldPath);
            var valueField = field.MessageType.FindFieldByNumber(2);
            foreach (DictionaryEntry entry in map)
            {
                string entryPath = $"{fieldPath}[{entry.Key}]";
                if (rules?.Map?.Values is { } valueRules)
                {
                    CheckSingle(valueField, valueRules, entry.Value, entryPath);
                }

                if (entry.Value is IMessage child)
                {
                    CheckMessage(child, entryPath, depth + 1);
                }
            }

            return;
        }

        if (field.IsRepeated)
        {
            var list = (IList)value!;
            CheckRepeated(list, rules?.Repeated, fieldPath);
            for (int i = 0; i < list.Count; i++)
            {
                string itemPath = $"{fieldPath}[{i}]";
                if (rules?.Repeated?.Items is { } itemRules)
                {
                    CheckSingle(field, itemRules, list[i], itemPath);
                }

                if (list[i] is IMessage child)
                {
                    CheckMessage(child, itemPath, depth + 1);
                }
            }

            return;
        }

        if (field.FieldType == FieldType.Message)
        {
            if (value is null)
            {
                if (rules?.Message?.Required == true || rules?.Duration?.Required == true || rules?.Any?.Required == true)
                {
                    _problems.Add($"{fieldPath}: is required");
                }

                return;
            }

            if (rules is not null && rules.Message?.Skip != true)
            {
                CheckSingle(field, rules, value, fieldPath);
            }

            // Wrapper types (BoolValue, UInt32Value...) surface as plain nullable values in C#: nothing inside to walk.
            if (rules?.Message?.Skip != true && value is IMessage child)
            {
                CheckMessage(child, fieldPath, depth + 1);
            }

            return;
        }

        // Scalars: protoc-gen-validate checks them whether set or not (an empty string fails min_len), unless the
        // field has explicit presence and is unset.
        if (rules is not null && (isSet || !field.HasPresence))
        {
            CheckSingle(field, rules, value, fieldPath);
        }
    }

    private static bool IsSet(FieldDescriptor field, object? value, bool inOneof, IMessage message)
    {
        if (field.IsRepeated || field.IsMap)
        {
            return ((ICollection)value!).Count > 0;
        }

        if (inOneof || field.FieldType == FieldType.Message)
        {
            return value is not null;
        }

        if (field.HasPresence)
        {
            return field.Accessor.HasValue(message);
        }

        return value switch
        {
            string s => s.Length > 0,
            ByteString b => b.Length > 0,
            bool b => b,
            null => false,
            _ => Convert.ToDouble(value, CultureInfo.InvariantCulture) != 0,
        };
    }

    /// <summary>The rules for one value (a field, a repeated item or a map value).</summary>
    private void CheckSingle(FieldDescriptor field, FieldRules rules, object? value, string path)
    {
        switch (rules.TypeCase)
        {
            case FieldRules.TypeOneofCase.String when Unwrap(value) is string text:
                CheckString(rules.String, text, path);
                break;
            case FieldRules.TypeOneofCase.Bytes when Unwrap(value) is ByteString bytes:
                CheckLength(rules.Bytes.HasMinLen ? rules.Bytes.MinLen : null, rules.Bytes.HasMaxLen ? rules.Bytes.MaxLen : null, bytes.Length, "bytes", path);
                break;
            case FieldRules.TypeOneofCase.Enum when value is not null:
                var enumType = field.EnumType;
                int number = Convert.ToInt32(value, CultureInfo.InvariantCulture);
                if (rules.Enum.DefinedOnly && enumType.FindValueByNumber(number) is null)
                {
                    _problems.Add($"{path}: {number} is not a defined {enumType.Name} value");
                }

                CheckNumber(rules.Enum.HasConst ? rules.Enum.Const : null, null, null, null, null, rules.Enum.In.Select(i => (double)i), rules.Enum.NotIn.Select(i => (double)i), number, path);
                break;
            case FieldRules.TypeOneofCase.Duration when value is Duration duration:
                CheckDuration(rules.Duration, duration, path);
                break;
            case FieldRules.TypeOneofCase.Any when value is Any any:
                if (rules.Any.In.Count > 0 && !rules.Any.In.Contains(any.TypeUrl))
                {
                    _problems.Add($"{path}: @type {any.TypeUrl} is not one of {string.Join(", ", rules.Any.In)}");
                }

                break;
            default:
                if (Unwrap(value) is { } scalar && scalar is not (string or ByteString or bool or IMessage))
                {
                    CheckNumericRules(rules, Convert.ToDouble(scalar, CultureInfo.InvariantCulture), path);
                }

                break;
        }
    }

    /// <summary>Wrapper messages (UInt32Value, StringValue...) carry their rules for the inner value.</summary>
    private static object? Unwrap(object? value) => value is IMessage message && message.Descriptor.FullName.StartsWith("google.protobuf.", StringComparison.Ordinal)
        && message.Descriptor.Name.EndsWith("Value", StringComparison.Ordinal) && message.Descriptor.Fields.InDeclarationOrder().Count == 1
        ? message.Descriptor.FindFieldByNumber(1).Accessor.GetValue(message)
        : value;

    private void CheckNumericRules(FieldRules rules, double value, string path)
    {
        switch (rules.TypeCase)
        {
            case FieldRules.TypeOneofCase.Uint32:
                var u32 = rules.Uint32;
                CheckNumber(u32.HasConst ? u32.Const : null, u32.HasLt ? u32.Lt : null, u32.HasLte ? u32.Lte : null, u32.HasGt ? u32.Gt : null, u32.HasGte ? u32.Gte : null, u32.In.Select(i => (double)i), u32.NotIn.Select(i => (double)i), value, path);
                break;
            case FieldRules.TypeOneofCase.Uint64:
                var u64 = rules.Uint64;
                CheckNumber(u64.HasConst ? u64.Const : null, u64.HasLt ? u64.Lt : null, u64.HasLte ? u64.Lte : null, u64.HasGt ? u64.Gt : null, u64.HasGte ? u64.Gte : null, u64.In.Select(i => (double)i), u64.NotIn.Select(i => (double)i), value, path);
                break;
            case FieldRules.TypeOneofCase.Int32:
                var i32 = rules.Int32;
                CheckNumber(i32.HasConst ? i32.Const : null, i32.HasLt ? i32.Lt : null, i32.HasLte ? i32.Lte : null, i32.HasGt ? i32.Gt : null, i32.HasGte ? i32.Gte : null, i32.In.Select(i => (double)i), i32.NotIn.Select(i => (double)i), value, path);
                break;
            case FieldRules.TypeOneofCase.Int64:
                var i64 = rules.Int64;
                CheckNumber(i64.HasConst ? i64.Const : null, i64.HasLt ? i64.Lt : null, i64.HasLte ? i64.Lte : null, i64.HasGt ? i64.Gt : null, i64.HasGte ? i64.Gte : null, i64.In.Select(i => (double)i), i64.NotIn.Select(i => (double)i), value, path);
                break;
            case FieldRules.TypeOneofCase.Double:
                var d = rules.Double;
                CheckNumber(d.HasConst ? d.Const : null, d.HasLt ? d.Lt : null, d.HasLte ? d.Lte : null, d.HasGt ? d.Gt : null, d.HasGte ? d.Gte : null, d.In, d.NotIn, value, path);
                break;
            case FieldRules.TypeOneofCase.Float:
                var f = rules.Float;
                CheckNumber(f.HasConst ? f.Const : null, f.HasLt ? f.Lt : null, f.HasLte ? f.Lte : null, f.HasGt ? f.Gt : null, f.HasGte ? f.Gte : null, f.In.Select(x => (double)x), f.NotIn.Select(x => (double)x), value, path);
                break;
            default:
                break;
        }
    }

    private void CheckNumber(double? constant, double? lt, double? lte, double? gt, double? gte, IEnumerable<double> @in, IEnumerable<double> notIn, double value, string path)
    {
        string shown = value.ToString(CultureInfo.InvariantCulture);
        if (constant is { } c && value != c)
        {
            _problems.Add($"{path}: {shown} must equal {c.ToString(CultureInfo.InvariantCulture)}");
        }

        // protoc-gen-validate: when the lower bound exceeds the upper bound the range is exclusive (outside it).
        double low = gt ?? gte ?? double.NegativeInfinity;
        double high = lt ?? lte ?? double.PositiveInfinity;
        bool aboveLow = gt is { } g ? value > g : gte is not { } ge || value >= ge;
        bool belowHigh = lt is { } l ? value < l : lte is not { } le || value <= le;
        bool ok = low > high ? aboveLow || belowHigh : aboveLow && belowHigh;
        if (!ok)
        {
            _problems.Add($"{path}: {shown} is out of range ({Bound(gt, ">")}{Bound(gte, ">=")}{Bound(lt, "<")}{Bound(lte, "<=")})");
        }

        var allowed = @in.ToList();
        if (allowed.Count > 0 && !allowed.Contains(value))
        {
            _problems.Add($"{path}: {shown} is not one of the allowed values");
        }

        if (notIn.Contains(value))
        {
            _problems.Add($"{path}: {shown} is not allowed");
        }
    }

    private static string Bound(double? bound, string op) => bound is { } b ? $" {op} {b.ToString(CultureInfo.InvariantCulture)}" : string.Empty;

    private void CheckString(StringRules rules, string value, string path)
    {
        if (rules.IgnoreEmpty && value.Length == 0)
        {
            return;
        }

        string shown = Shown(value);
        int chars = value.EnumerateRunes().Count();
        int bytes = Encoding.UTF8.GetByteCount(value);
        CheckLength(rules.HasMinLen ? rules.MinLen : null, rules.HasMaxLen ? rules.MaxLen : null, chars, "characters", path);
        CheckLength(rules.HasMinBytes ? rules.MinBytes : null, rules.HasMaxBytes ? rules.MaxBytes : null, bytes, "bytes", path);
        if (rules.HasLen && (ulong)chars != rules.Len)
        {
            _problems.Add($"{path}: {shown} must be exactly {rules.Len} characters");
        }

        if (rules.HasConst && value != rules.Const)
        {
            _problems.Add($"{path}: {shown} must be {Shown(rules.Const)}");
        }

        if (rules.HasPrefix && !value.StartsWith(rules.Prefix, StringComparison.Ordinal))
        {
            _problems.Add($"{path}: {shown} must start with {Shown(rules.Prefix)}");
        }

        if (rules.HasSuffix && !value.EndsWith(rules.Suffix, StringComparison.Ordinal))
        {
            _problems.Add($"{path}: {shown} must end with {Shown(rules.Suffix)}");
        }

        if (rules.HasContains && !value.Contains(rules.Contains, StringComparison.Ordinal))
        {
            _problems.Add($"{path}: {shown} must contain {Shown(rules.Contains)}");
        }

        if (rules.HasNotContains && value.Contains(rules.NotContains, StringComparison.Ordinal))
        {
            _problems.Add($"{path}: {shown} must not contain {Shown(rules.NotContains)}");
        }

        if (rules.In.Count > 0 && !rules.In.Contains(value))
        {
            _problems.Add($"{path}: {shown} is not one of {string.Join(", ", rules.In.Select(Shown))}");
        }

        if (rules.NotIn.Contains(value))
        {
            _problems.Add($"{path}: {shown} is not allowed");
        }

        if (rules.HasPattern && !PatternOf(rules.Pattern).IsMatch(value))
        {
            _problems.Add($"{path}: {shown} does not match the pattern {rules.Pattern}");
        }

        if (rules.WellKnownCase == StringRules.WellKnownOneofCase.WellKnownRegex)
        {
            // Envoy's header rules: strict means RFC 7230 token / field-value; loose only forbids NUL, CR and LF.
            bool strict = !rules.HasStrict || rules.Strict;
            string pattern = (rules.WellKnownRegex, strict) switch
            {
                (KnownRegex.HttpHeaderName, true) => @"^:?[0-9a-zA-Z!#$%&'*+\-.^_|~`]+$",
                (KnownRegex.HttpHeaderValue, true) => @"^[^\u0000-\u0008\u000A-\u001F\u007F]*$",
                _ => @"^[^\u0000\u000A\u000D]*$",
            };
            if (!PatternOf(pattern).IsMatch(value))
            {
                _problems.Add($"{path}: {shown} is not a valid HTTP header {(rules.WellKnownRegex == KnownRegex.HttpHeaderName ? "name" : "value")}");
            }
        }
    }

    private void CheckLength(ulong? min, ulong? max, int actual, string unit, string path)
    {
        if (min is { } low && (ulong)actual < low)
        {
            _problems.Add($"{path}: must be at least {low} {unit} (is {actual})");
        }

        if (max is { } high && (ulong)actual > high)
        {
            _problems.Add($"{path}: must be at most {high} {unit} (is {actual})");
        }
    }

    private void CheckRepeated(IList list, RepeatedRules? rules, string path)
    {
        if (rules is null)
        {
            return;
        }

        CheckLength(rules.HasMinItems ? rules.MinItems : null, rules.HasMaxItems ? rules.MaxItems : null, list.Count, "items", path);
        if (rules.Unique && list.Cast<object>().Distinct().Count() != list.Count)
        {
            _problems.Add($"{path}: items must be unique");
        }
    }

    private void CheckMap(IDictionary map, MapRules? rules, string path)
    {
        if (rules is null)
        {
            return;
        }

        CheckLength(rules.HasMinPairs ? rules.MinPairs : null, rules.HasMaxPairs ? rules.MaxPairs : null, map.Count, "entries", path);
    }

    private void CheckDuration(DurationRules rules, Duration value, string path)
    {
        var span = value.ToTimeSpan();
        string shown = value.ToString();
        if (rules.Gt is { } gt && span <= gt.ToTimeSpan())
        {
            _problems.Add($"{path}: {shown} must be greater than {gt}");
        }

        if (rules.Gte is { } gte && span < gte.ToTimeSpan())
        {
            _problems.Add($"{path}: {shown} must be at least {gte}");
        }

        if (rules.Lt is { } lt && span >= lt.ToTimeSpan())
        {
            _problems.Add($"{path}: {shown} must be less than {lt}");
        }

        if (rules.Lte is { } lte && span > lte.ToTimeSpan())
        {
            _problems.Add($"{path}: {shown} must be at most {lte}");
        }
    }

    private static Regex PatternOf(string pattern)
    {
        lock (Patterns)
        {
            if (!Patterns.TryGetValue(pattern, out var regex))
            {
                regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                Patterns[pattern] = regex;
            }

            return regex;
        }
    }

    private static string Shown(string value) => Portico.Core.Model.Printable.Quote(value);
}
