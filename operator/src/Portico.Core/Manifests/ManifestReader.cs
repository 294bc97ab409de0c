using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.Core.Model;
using Portico.Core.Timing;

namespace Portico.Core.Manifests;

/// <summary>
/// Reads manifest files (multi-document YAML or JSON, <c>kind: List</c> too) into the typed objects Portico uses.
/// Kinds Portico does not use are skipped. YAML that does not parse throws <see cref="ManifestException"/> (file and
/// line); an object that parses but does not fit its kind becomes a diagnostic naming it, and the rest is kept.
/// Large files are cut at document markers and converted in parallel.
/// </summary>
public static class ManifestReader
{
    /// <summary>Files larger than this are refused: a bound on what one run will read.</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    /// <summary>Pieces are cut past this size: small enough to stay out of the large object heap as text (under 85 KB).</summary>
    private const int ChunkChars = 32 * 1024;

    private static readonly string[] ManifestExtensions = [".yaml", ".yml", ".json"];

    /// <summary>Reads every manifest under the given files and directories (directories recursively, files sorted).</summary>
    public static ManifestSet Read(IEnumerable<string> paths) => Read(paths, (StageTimings?)null);

    /// <summary>As <see cref="Read(IEnumerable{string})"/>, reading the kinds of <paramref name="kinds"/> (local mode with a registry of its own).</summary>
    public static ManifestSet Read(IEnumerable<string> paths, KindRegistry kinds) => Read(paths, null, kinds);

    /// <summary>
    /// As <see cref="Read(IEnumerable{string})"/>, timing the stages: read (files into memory, cut into pieces) and
    /// parse (YAML to JSON to typed objects, the pieces in parallel).
    /// </summary>
    public static ManifestSet Read(IEnumerable<string> paths, StageTimings? timings) => Read(paths, timings, KindRegistry.Default);

    private static ManifestSet Read(IEnumerable<string> paths, StageTimings? timings, KindRegistry kinds)
    {
        timings?.Restart();
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        var files = ExpandPaths(paths).Select(file => (file, ReadBytes(file))).ToList();
        timings?.Add("read", System.Diagnostics.Stopwatch.GetElapsedTime(start));
        return Parse(files, timings, kinds);
    }

    /// <summary>Parses files already read (name and bytes, in order): the objects in file order, the diagnostics sorted.</summary>
    internal static ManifestSet Parse(IReadOnlyList<(string File, byte[] Bytes)> files, StageTimings? timings, KindRegistry kinds)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        var pieces = new List<Piece>();
        foreach (var (file, bytes) in files)
        {
            pieces.AddRange(Pieces(file, bytes));
        }

        var objects = new ManifestObject?[pieces.Count][];
        var failures = new ManifestException?[pieces.Count];
        var diagnostics = new ConcurrentQueue<Diagnostic>();
        Action<Diagnostic> report = diagnostics.Enqueue;
        Parallel.For(0, pieces.Count, i =>
        {
            var piece = pieces[i];
            List<YamlDocument> documents;
            try
            {
                documents = YamlJsonConverter.Convert(piece.File, piece.Text(), piece.LineOffset);
            }
            catch (ManifestException e)
            {
                failures[i] = e;
                return;
            }

            objects[i] = [.. documents.SelectMany(d => ToObjects(d, kinds, report))];
        });

        // The first failure in file order, whichever thread met it first: the same input gives the same error.
        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            throw failure;
        }

        var set = new ManifestSet(
            [.. objects.SelectMany(o => o).OfType<ManifestObject>()],
            [.. diagnostics.Order()]);
        timings?.Add("parse", System.Diagnostics.Stopwatch.GetElapsedTime(start));
        return set;
    }

    /// <summary>Reads manifests from one string (tests, stdin).</summary>
    public static ManifestSet ReadString(string text, string name = "<input>", KindRegistry? kinds = null)
    {
        kinds ??= KindRegistry.Default;
        var diagnostics = new List<Diagnostic>();
        Action<Diagnostic> report = diagnostics.Add;
        var objects = YamlJsonConverter.Convert(name, text).SelectMany(d => ToObjects(d, kinds, report)).OfType<ManifestObject>();
        return new ManifestSet([.. objects], [.. diagnostics.Order()]);
    }

    internal static IReadOnlyList<string> ExpandPaths(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (string path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory
                    .EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden })
                    .Where(IsManifestFile)
                    .Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new ManifestException(path, 0, "no such file or directory");
            }
        }

        return files;
    }

    /// <summary>Whether a file found in a directory is read as manifests: by its extension.</summary>
    internal static bool IsManifestFile(string file) => ManifestExtensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase);

    internal static byte[] ReadBytes(string file)
    {
        try
        {
            var info = new FileInfo(file);
            if (info.Length > MaxFileBytes)
            {
                throw new ManifestException(file, 0, $"file is larger than {MaxFileBytes / (1024 * 1024)} MiB");
            }

            return File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ManifestException(file, 0, "cannot read: " + e.Message);
        }
    }

    /// <summary>
    /// A file's text in pieces of whole documents. UTF-8 (the usual case) is cut as bytes and each piece decoded on its
    /// own, in the parallel part; a file with a UTF-16 or UTF-32 byte order mark is decoded whole, as File.ReadAllText would.
    /// </summary>
    private static IEnumerable<Piece> Pieces(string file, byte[] bytes)
    {
        bool utf16Or32 = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])
            || bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]);
        if (utf16Or32)
        {
            using var reader = new StreamReader(new MemoryStream(bytes, writable: false), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return Chunk(file, reader.ReadToEnd()).Select(c => new Piece(c.File, c.Text, null, 0, 0, c.LineOffset));
        }

        int start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        return ChunkBytes(bytes, start).Select(c => new Piece(file, null, bytes, c.Start, c.Length, c.LineOffset));
    }

    /// <summary>As <see cref="Chunk"/>, on UTF-8 bytes ('\n' and "---" are single bytes in UTF-8, never inside a character).</summary>
    private static IEnumerable<(int Start, int Length, long LineOffset)> ChunkBytes(byte[] bytes, int start)
    {
        if (bytes.Length - start <= ChunkChars || (bytes.Length > start && bytes[start] == (byte)'%'))
        {
            yield return (start, bytes.Length - start, 0);
            yield break;
        }

        long startLine = 0;
        while (true)
        {
            int marker = -1;
            int from = start + ChunkChars - 1;
            while (from < bytes.Length)
            {
                int found = bytes.AsSpan(from).IndexOf("\n---"u8);
                if (found < 0)
                {
                    break;
                }

                int position = from + found + 1;
                if (position + 3 >= bytes.Length || bytes[position + 3] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
                {
                    marker = position;
                    break;
                }

                from = position;
            }

            if (marker < 0)
            {
                yield return (start, bytes.Length - start, startLine);
                yield break;
            }

            yield return (start, marker - start, startLine);
            startLine += bytes.AsSpan(start, marker - start).Count((byte)'\n');
            start = marker;
        }
    }

    /// <summary>
    /// Cuts a large file at lines that start a document ("---" at column 0, followed by nothing or a space): YAML
    /// forbids such a line inside content, so every piece is whole documents. Small files stay one piece.
    /// </summary>
    internal static IEnumerable<(string File, string Text, long LineOffset)> Chunk(string file, string text)
    {
        if (text.Length <= ChunkChars || text.StartsWith('%'))
        {
            yield return (file, text, 0);
            yield break;
        }

        int start = 0;
        long startLine = 0;
        while (true)
        {
            // The first marker line at least ChunkChars past the start: a "---" right after a line break.
            int marker = -1;
            int from = start + ChunkChars - 1;
            while (from < text.Length)
            {
                int found = text.AsSpan(from).IndexOf("\n---", StringComparison.Ordinal);
                if (found < 0)
                {
                    break;
                }

                int position = from + found + 1;
                if (position + 3 >= text.Length || text[position + 3] is ' ' or '\t' or '\r' or '\n')
                {
                    marker = position;
                    break;
                }

                from = position;
            }

            if (marker < 0)
            {
                yield return (file, text[start..], startLine);
                yield break;
            }

            yield return (file, text[start..marker], startLine);
            startLine += text.AsSpan(start, marker - start).Count('\n');
            start = marker;
        }
    }

    /// <summary>Whole documents of one file: text already decoded, or UTF-8 bytes to decode when needed.</summary>
    private readonly record struct Piece(string File, string? Decoded, byte[]? Bytes, int Start, int Length, long LineOffset)
    {
        public string Text() => Decoded ?? Encoding.UTF8.GetString(Bytes!, Start, Length);
    }

    private static IEnumerable<ManifestObject?> ToObjects(YamlDocument document, KindRegistry kinds, Action<Diagnostic> report)
    {
        if (document.ApiVersion == "v1" && document.Kind == "List")
        {
            using var list = JsonDocument.Parse(document.Json);
            if (!list.RootElement.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
            {
                yield break;
            }

            foreach (var item in items.EnumerateArray())
            {
                var identity = Identify(item);
                var kind = kinds.Find(identity.ApiVersion, identity.Kind);
                if (kind is not null)
                {
                    yield return Deserialize(document, identity, kind, () => kind.Deserialize(item), report);
                }
                else
                {
                    NoteUnsupportedVersion(document, identity, kinds, report);
                }
            }

            yield break;
        }

        var documentKind = kinds.Find(document.ApiVersion, document.Kind);
        var documentIdentity = (document.ApiVersion, document.Kind, document.Namespace, document.Name);
        if (documentKind is null)
        {
            NoteUnsupportedVersion(document, documentIdentity, kinds, report);
            yield break;
        }

        yield return Deserialize(document, documentIdentity, documentKind, () => documentKind.Deserialize(document.Json), report);
    }

    private static ManifestObject? Deserialize(
        YamlDocument document,
        (string? ApiVersion, string? Kind, string? Namespace, string? Name) identity,
        KindDefinition kind,
        Func<IKubernetesObject<V1ObjectMeta>> deserialize,
        Action<Diagnostic> report)
    {
        var reference = new ObjectRef(identity.Kind!, kind.Namespaced ? identity.Namespace ?? "default" : string.Empty, identity.Name ?? "<unnamed>");
        IKubernetesObject<V1ObjectMeta> value;
        try
        {
            value = deserialize();
        }
        catch (JsonException e)
        {
            string field = string.IsNullOrEmpty(e.Path) ? "(object)" : e.Path.TrimStart('$', '.');
            report(new Diagnostic(Severity.Error, reference, field, $"does not fit a {identity.Kind} ({document.File}:{document.Line}): {Printable.Escape(FirstSentence(e.Message))}"));
            return null;
        }

        if (string.IsNullOrEmpty(value.Metadata?.Name))
        {
            report(new Diagnostic(Severity.Error, reference, "metadata.name", $"is required ({document.File}:{document.Line})"));
            return null;
        }

        if (kind.Namespaced && string.IsNullOrEmpty(value.Metadata.NamespaceProperty))
        {
            value.Metadata.NamespaceProperty = "default";
        }

        return new ManifestObject(value, document.File, document.Line);
    }

    private static void NoteUnsupportedVersion(YamlDocument document, (string? ApiVersion, string? Kind, string? Namespace, string? Name) identity, KindRegistry kinds, Action<Diagnostic> report)
    {
        if (identity.Kind is not null && kinds.IsKnownKindName(identity.Kind))
        {
            var reference = new ObjectRef(identity.Kind, identity.Namespace ?? "default", identity.Name ?? "<unnamed>");
            report(new Diagnostic(Severity.Warning, reference, "apiVersion", $"{Printable.Quote(identity.ApiVersion)} is not supported for {identity.Kind}; the object is ignored ({document.File}:{document.Line})"));
        }
    }

    private static (string? ApiVersion, string? Kind, string? Namespace, string? Name) Identify(JsonElement item)
    {
        static string? Text(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var metadata = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("metadata", out var m) ? m : default;
        return (Text(item, "apiVersion"), Text(item, "kind"), Text(metadata, "namespace"), Text(metadata, "name"));
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
