using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace Portico.Core.Kubernetes;

/// <summary>
/// Reads JSON strings through a small, fixed-size table of strings already read, so that values repeated across
/// thousands of objects (namespaces, apiVersions and kinds, label keys, "Prefix", "IPv4", ports' names, Service names
/// that backends repeat) are kept once instead of once per object. At 10,000 Ingresses the store held ~550,000 strings,
/// many of them the same few hundred values (issue 13: memory).
/// <para>
/// The table is direct-mapped and never grows: a slot keeps the last string that hashed to it, so a value seen often
/// stays, a unique value (a uid, a resourceVersion) passes through and is replaced, and the memory it holds is bounded
/// (<see cref="Slots"/> strings of at most <see cref="MaxLength"/> characters). Slots are read and written without a lock:
/// a race only means a string is not shared, never a wrong value, since a slot is only returned when its text equals
/// the text read.
/// </para>
/// </summary>
internal sealed class SharedStrings : JsonConverter<string>
{
    public const int Slots = 1 << 14;

    // Longer values (annotations, certificates, JSON in annotations) are rarely repeated and would hold memory.
    public const int MaxLength = 128;

    private readonly string?[] _slots = new string?[Slots];

    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? Shared(ref reader) : reader.GetString();

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Shared(ref reader);

    // Writing is as the built-in converter writes (names as property names: its fallback).
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    /// <summary>The string for these UTF-8 bytes: the one in the table when it is the same text, else a new one.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        Span<char> chars = stackalloc char[MaxLength];
        int length = Encoding.UTF8.GetChars(utf8, chars);
        return Get(chars[..length]);
    }

    /// <summary>The string for this text: the one in the table when it is the same text, else a new one.</summary>
    public string Get(ReadOnlySpan<char> text)
    {
        if (text.Length > MaxLength)
        {
            return new string(text);
        }

        int slot = string.GetHashCode(text) & (Slots - 1);
        string? kept = Volatile.Read(ref _slots[slot]);
        if (kept is not null && text.SequenceEqual(kept))
        {
            return kept;
        }

        string made = new(text);
        Volatile.Write(ref _slots[slot], made);
        return made;
    }

    private string Shared(ref Utf8JsonReader reader)
    {
        // Escaped or split values go the ordinary way (GetString unescapes and joins them; they are rare in practice), and
        // so does text that is not UTF-8, which GetString refuses as it would have without this table.
        if (reader.ValueIsEscaped || reader.HasValueSequence || !Utf8.IsValid(reader.ValueSpan))
        {
            return reader.GetString()!;
        }

        return Get(reader.ValueSpan);
    }
}
