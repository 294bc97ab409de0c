using System.Text;
using Portico.Core.Manifests;

namespace Portico.Tests.Offline;

/// <summary>
/// The fast YAML reader against the general (YamlDotNet) path: wherever the fast one gives an answer, it must be the
/// general path's answer, byte for byte (JSON, line, identity); where it is unsure it declines. Hand-written cases,
/// every YAML file in the repository, and generated documents with random damage.
/// </summary>
public sealed class SimpleYamlReaderTests
{
    [TestCase("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: b\n")]
    [TestCase("# lead\n\n  # indented\napiVersion: v1\nkind: Service\n---\n---\n# only a comment\n---\na: 1\n")]
    [TestCase("a:\n- b\n- c\nd: e\n")]
    [TestCase("a:\n  - b\n  -   c\n  -\n  - d: 1\n    e: [1, 2]\n  -   f: x\n      g: y\nh: ~\n")]
    [TestCase("a: b]\nc: d,e\nf: x{y}\ng: -1\nh: http://x/#/y\ni: b #c\nj: e#f\n\"q\": x\n'r': 'it''s'\n")]
    [TestCase("{\"a\": 1,\n \"b\" :2, \"c\": [1, 2.5e3, -0, true, null, \"x\\ny\\u00e9\"]}\n")]
    [TestCase("a: {x: 1, y: [a, b], z: {}}\nb: []\nc: 0x1F\nd: 0o17\ne: 1.\nf: .5\ng: +3\nh: 'true'\ni: TRUE\nj: Null\nk:\nl: ''\n")]
    [TestCase("a: b\n   # indented comment after a plain scalar\nc: d\n")]
    [TestCase("a:\n  b:\n    c:\n      - d\n      - e: f\n        g:\n          - h\n")]
    [TestCase("---\na: 1\n--- # comment\nb: 2\n---\n")]
    [TestCase("  a: 1\n  b: 2\n")]
    [TestCase("a: 1\nb: 2")]
    [TestCase("a: [1,\n  2,\n  3]\nb: {c: d,\n  e: f}\n")]
    [TestCase("- a\n- b\n")]
    [TestCase("a: b\n  c\n")]
    [TestCase("a: |\n  text\n")]
    [TestCase("a: &x 1\nb: *x\n")]
    [TestCase("a: 1\na: 2\n")]
    [TestCase("a: {x: 1,\ny: 2}\n")]
    [TestCase("a:\tb\n")]
    [TestCase("a: b\r\nc: d\r\n")]
    [TestCase("%YAML 1.2\n---\na: 1\n")]
    [TestCase("a: 1\n...\n")]
    [TestCase("a: \"multi\n  line\"\n")]
    [TestCase("a: {a:b}\n")]
    [TestCase("a: [a: b]\n")]
    [TestCase("<<: {a: b}\n")]
    [TestCase("? a\n: b\n")]
    [TestCase("a: !!str 1\n")]
    [TestCase("a: 'x\n")]
    [TestCase("a: b: c\n")]
    [TestCase("a:\n  b: 1\n c: 2\n")]
    [TestCase("just a string\n")]
    [TestCase("")]
    [TestCase("\n\n# nothing\n")]
    public void Agrees_with_the_general_path(string yaml) => AssertAgrees(yaml);

    [Test]
    public void Plain_scalars_are_typed_by_the_core_schema_on_both_paths()
    {
        const string yaml = "a: yes\nb: 0x1F\nc: 0o17\nd: 1e3\ne: .5\nf: Null\ng: TRUE\nh: x1\ni: 12abc\nj: +3\nk: -.5e-3\nl: .inf\nm: 007\nn: 1_000\no: ~\n"
            + "p: False\nq: nan\nr: -0x5\ns: 0xFFFFFFFFFFFFFFFF\nt: 99999999999999999999\nu: 1.\nv: -a\nw: \u00e9a\nx: 'true'\ny: 0o8\nz: tRUE\n";
        const string expected = """{"a":"yes","b":31,"c":15,"d":1000,"e":0.5,"f":null,"g":true,"h":"x1","i":"12abc","j":3,"k":-0.0005,"l":".inf","m":7,"n":"1_000","o":null,"p":false,"q":"nan","r":"-0x5","s":"0xFFFFFFFFFFFFFFFF","t":1E+20,"u":1,"v":"-a","w":"\u00E9a","x":"true","y":"0o8","z":"tRUE"}""";
        Assert.That(Encoding.UTF8.GetString(SimpleYamlReader.TryConvert("t.yaml", yaml, 0)!.Single().Json), Is.EqualTo(expected));
        Assert.That(Encoding.UTF8.GetString(YamlJsonConverter.ConvertWithParser("t.yaml", yaml).Single().Json), Is.EqualTo(expected));
    }

    [Test]
    public void Takes_the_plain_manifests_that_the_benchmark_and_examples_are_made_of()
    {
        string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: app-1
              namespace: team-1
              creationTimestamp: "2026-01-01T00:00:00Z"
              annotations:
                portico.dev/note: "x"
            spec:
              ingressClassName: portico
              tls:
                - hosts: [app-1.example.com]
                  secretName: app-1-tls
              rules:
                - host: app-1.example.com
                  http:
                    paths:
                      - path: /
                        pathType: Prefix
                        backend: {service: {name: app-1, port: {number: 80}}}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: app-1-abcde
              labels:
                kubernetes.io/service-name: app-1
            addressType: IPv4
            ports:
              - name: http
                port: 8080
            endpoints:
              - addresses: ["10.0.1.1"]
                conditions: {ready: true}

            """;
        Assert.That(SimpleYamlReader.TryConvert("x.yaml", yaml, 0), Is.Not.Null);
        AssertAgrees(yaml);
    }

    [Test]
    public void Agrees_on_every_YAML_file_in_the_repository()
    {
        string root = RepoRoot();
        int taken = 0, files = 0;
        foreach (string file in Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/.git/", StringComparison.Ordinal)))
        {
            files++;
            taken += AssertAgrees(File.ReadAllText(file), file) ? 1 : 0;
        }

        Assert.That(files, Is.GreaterThan(10));
        TestContext.Out.WriteLine($"fast reader took {taken} of {files} files");
    }

    /// <summary>Generated documents in many styles, half of them damaged at random: never a different answer.</summary>
    [Test]
    public void Agrees_on_generated_and_damaged_documents()
    {
        int iterations = int.TryParse(Environment.GetEnvironmentVariable("PORTICO_YAML_FUZZ_ITERATIONS"), out int n) ? n : 20_000;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("PORTICO_YAML_FUZZ_SEED"), out int s) ? s : 20261123;
        var random = new Random(seed);
        int taken = 0;
        for (int i = 0; i < iterations; i++)
        {
            string yaml = YamlGenerator.Document(random);
            if (random.Next(2) == 0)
            {
                yaml = YamlGenerator.Damage(random, yaml);
            }

            taken += AssertAgrees(yaml, $"case {i} (seed {seed})") ? 1 : 0;
        }

        TestContext.Out.WriteLine($"fast reader took {taken} of {iterations}");
        Assert.That(taken, Is.GreaterThan(iterations / 5), "the fast reader should take a good share of them");
    }

    /// <summary>True when the fast reader took the text; fails when its answer differs from the general path's.</summary>
    private static bool AssertAgrees(string yaml, string? name = null)
    {
        var fast = SimpleYamlReader.TryConvert("f.yaml", yaml, 7);
        if (fast is null)
        {
            return false;
        }

        List<YamlDocument> slow;
        try
        {
            slow = YamlJsonConverter.ConvertWithParser("f.yaml", yaml, 7);
        }
        catch (Exception e)
        {
            Assert.Fail($"{name}: the fast reader took text the general path refuses ({e.GetType().Name}: {e.Message}):\n{yaml}");
            return false;
        }

        Assert.That(fast.Select(Describe), Is.EqualTo(slow.Select(Describe)), $"{name}:\n{yaml}");
        return true;
    }

    private static string Describe(YamlDocument d) =>
        $"{d.File}:{d.Line} [{d.ApiVersion}|{d.Kind}|{d.Namespace}|{d.Name}] {Encoding.UTF8.GetString(d.Json)}";

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Operator.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    /// <summary>Random YAML in the styles people write manifests in, and random damage to it.</summary>
    private static class YamlGenerator
    {
        private static readonly string[] Words =
        [
            "a", "name", "apiVersion", "kind", "metadata", "namespace", "v1", "web", "80", "-1", "0x1F", "0o17", "1.5", "1e3", ".5", "1.",
            "true", "False", "null", "~", "NULL", "yes", "on", "x y", "http://x/#/y", "a:b", "a#b", "b]", "c,d", "x{y}", "-x", "ü", "é x",
            "a'b", "a\"b", "0", "+1", "007", "1_000", ".inf", "-.5e-3", "2026-01-01T00:00:00Z", "/api", "*.example.com", "$x", "(x)",
        ];

        private static readonly string[] Damages = [" ", "  ", ":", ": ", "#", " #", "-", "- ", "[", "]", "{", "}", ",", "\"", "'", "\n", "\n  ", "&a ", "*a", "!", "|", ">", "?", "%", "---", "...", "\t", "\\", "\\u00", "@", "`"];

        public static string Document(Random random)
        {
            var text = new StringBuilder();
            int documents = random.Next(1, 4);
            for (int d = 0; d < documents; d++)
            {
                if (d > 0 || random.Next(3) == 0)
                {
                    text.Append(random.Next(4) == 0 ? "--- # doc\n" : "---\n");
                }

                if (random.Next(5) == 0)
                {
                    text.Append(Spaces(random.Next(3))).Append("# comment\n");
                }

                int indentStep = random.Next(1, 5);
                if (random.Next(6) == 0)
                {
                    WriteFlow(text, random, mapping: true, depth: 0, multiline: random.Next(2) == 0, indent: 0);
                    text.Append('\n');
                }
                else
                {
                    WriteBlockMapping(text, random, indent: random.Next(8) == 0 ? 1 : 0, indentStep, depth: 0, firstInline: false);
                }
            }

            return text.ToString();
        }

        public static string Damage(Random random, string yaml)
        {
            var text = new StringBuilder(yaml);
            int edits = random.Next(1, 4);
            for (int e = 0; e < edits && text.Length > 0; e++)
            {
                int at = random.Next(text.Length);
                switch (random.Next(3))
                {
                    case 0:
                        text.Insert(at, Damages[random.Next(Damages.Length)]);
                        break;
                    case 1:
                        text.Remove(at, Math.Min(random.Next(1, 3), text.Length - at));
                        break;
                    default:
                        text[at] = Damages[random.Next(Damages.Length)][0];
                        break;
                }
            }

            return text.ToString();
        }

        private static void WriteBlockMapping(StringBuilder text, Random random, int indent, int step, int depth, bool firstInline)
        {
            int keys = random.Next(1, 5);
            var used = new HashSet<string>();
            for (int k = 0; k < keys; k++)
            {
                string key = Key(random);
                if (!used.Add(key))
                {
                    continue;
                }

                if (!(firstInline && k == 0))
                {
                    text.Append(Spaces(indent));
                }

                text.Append(key).Append(':');
                WriteValue(text, random, indent, step, depth);
                if (random.Next(10) == 0)
                {
                    text.Append(Spaces(random.Next(6))).Append("# between\n");
                }

                if (random.Next(15) == 0)
                {
                    text.Append('\n');
                }
            }
        }

        private static void WriteValue(StringBuilder text, Random random, int indent, int step, int depth)
        {
            int choice = depth > 4 ? random.Next(4) : random.Next(9);
            switch (choice)
            {
                case 0 or 1 or 2:
                    text.Append(' ').Append(Scalar(random, flow: false));
                    AppendComment(text, random);
                    text.Append('\n');
                    break;
                case 3:
                    text.Append(' ');
                    WriteFlow(text, random, mapping: random.Next(2) == 0, depth + 1, multiline: random.Next(5) == 0, indent);
                    text.Append('\n');
                    break;
                case 4:
                    AppendComment(text, random);
                    text.Append('\n');
                    if (random.Next(3) == 0)
                    {
                        text.Append(Spaces(indent + step)).Append("# inside\n");
                    }

                    WriteBlockMapping(text, random, indent + step, step, depth + 1, firstInline: false);
                    break;
                case 5 or 6:
                    text.Append('\n');
                    WriteBlockSequence(text, random, random.Next(2) == 0 ? indent : indent + step, step, depth + 1);
                    break;
                case 7:
                    text.Append('\n'); // null value
                    break;
                default:
                    text.Append(' ').Append(Quoted(random));
                    text.Append('\n');
                    break;
            }
        }

        private static void WriteBlockSequence(StringBuilder text, Random random, int indent, int step, int depth)
        {
            int items = random.Next(1, 4);
            for (int i = 0; i < items; i++)
            {
                text.Append(Spaces(indent)).Append('-');
                int gap = random.Next(1, 4);
                switch (depth > 4 ? random.Next(2) : random.Next(5))
                {
                    case 0:
                        text.Append(Spaces(gap)).Append(Scalar(random, flow: false)).Append('\n');
                        break;
                    case 1:
                        text.Append(Spaces(gap)).Append(Quoted(random)).Append('\n');
                        break;
                    case 2:
                        text.Append(Spaces(gap));
                        WriteBlockMapping(text, random, indent + 1 + gap, step, depth + 1, firstInline: true);
                        break;
                    case 3:
                        text.Append(Spaces(gap));
                        WriteFlow(text, random, mapping: random.Next(2) == 0, depth + 1, multiline: false, indent);
                        text.Append('\n');
                        break;
                    default:
                        text.Append('\n');
                        WriteBlockMapping(text, random, indent + step, step, depth + 1, firstInline: false);
                        break;
                }
            }
        }

        private static void WriteFlow(StringBuilder text, Random random, bool mapping, int depth, bool multiline, int indent)
        {
            text.Append(mapping ? '{' : '[');
            int entries = random.Next(0, 4);
            for (int e = 0; e < entries; e++)
            {
                if (e > 0)
                {
                    text.Append(',');
                    text.Append(multiline ? "\n" + Spaces(indent + 1 + random.Next(3)) : random.Next(4) == 0 ? string.Empty : " ");
                }

                if (mapping)
                {
                    text.Append(random.Next(3) == 0 ? Quoted(random) : Key(random)).Append(random.Next(6) == 0 ? ":" : ": ");
                }

                if (depth < 4 && random.Next(5) == 0)
                {
                    WriteFlow(text, random, random.Next(2) == 0, depth + 1, multiline: false, indent);
                }
                else
                {
                    text.Append(random.Next(3) == 0 ? Quoted(random) : Scalar(random, flow: true));
                }
            }

            text.Append(mapping ? '}' : ']');
        }

        private static string Key(Random random) => random.Next(8) switch
        {
            0 => "\"" + Words[random.Next(Words.Length)].Replace("\"", string.Empty, StringComparison.Ordinal) + "\"",
            _ => new[] { "a", "b", "name", "apiVersion", "kind", "metadata", "namespace", "spec", "port", "x.y/z", "k8s.io/name", "80", "true", "a b" }[random.Next(14)],
        };

        private static string Scalar(Random random, bool flow)
        {
            string word = Words[random.Next(Words.Length)];
            return flow ? word.Replace(",", string.Empty, StringComparison.Ordinal).Replace("]", string.Empty, StringComparison.Ordinal).Replace("}", string.Empty, StringComparison.Ordinal).Replace("{", string.Empty, StringComparison.Ordinal) : word;
        }

        private static string Quoted(Random random)
        {
            string word = Words[random.Next(Words.Length)];
            return random.Next(2) == 0
                ? "'" + word.Replace("'", "''", StringComparison.Ordinal) + "'"
                : "\"" + word.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + (random.Next(4) == 0 ? "\\n\\t\\u00e9\\/" : string.Empty) + "\"";
        }

        private static void AppendComment(StringBuilder text, Random random)
        {
            if (random.Next(8) == 0)
            {
                text.Append(Spaces(random.Next(1, 3))).Append("# note");
            }
        }

        private static string Spaces(int count) => new(' ', count);
    }
}
