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
    [TestCase("y: 1\nn: 2\n0x10: a\n1.5: b\n'yes': c\n\"on\": d\n")]
    [TestCase("a: {yes: 1, 'no': 2, 1e3: x}\nb: [on, Off, ~, 08, 2026-01-01, 1e400]\n")]
    [TestCase("")]
    [TestCase("\n\n# nothing\n")]
    public void Takes_and_agrees_with_the_general_path(string yaml)
    {
        Assert.That(SimpleYamlReader.TryConvert("f.yaml", yaml, 7), Is.Not.Null, "the fast reader takes this");
        Assert.That(AssertAgrees(yaml), Is.True);
    }

    /// <summary>Outside the fast reader's subset: it declines, and what <see cref="YamlJsonConverter.Convert"/> gives is the general path's answer or error.</summary>
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
    [TestCase("a: {<<: {b: 1}, c: 2}\n")]
    [TestCase("? a\n: b\n")]
    [TestCase("a: !!str 1\n")]
    [TestCase("a: 'x\n")]
    [TestCase("a: b: c\n")]
    [TestCase("a:\n  b: 1\n c: 2\n")]
    [TestCase("just a string\n")]
    [TestCase("a: .inf\n")]
    [TestCase("a: [-.Inf]\n")]
    [TestCase("a: {b: .nan}\n")]
    [TestCase("~: a\n")]
    [TestCase("a: {null: b}\n")]
    [TestCase("18446744073709551615: a\n")]
    [TestCase("yes: 1\non: 2\n")]
    [TestCase("a: {0x10: 1, 16: 2}\n")]
    [TestCase("\uFEFFa: 1\n")]
    public void Declines_and_the_general_path_decides(string yaml)
    {
        Assert.That(SimpleYamlReader.TryConvert("f.yaml", yaml, 7), Is.Null, "the fast reader declines");
        AssertSameOutcome(yaml, () => YamlJsonConverter.Convert("f.yaml", yaml, 7));
    }

    [Test]
    public void Plain_scalars_are_typed_as_kubectl_types_them_on_both_paths()
    {
        const string yaml = "a: yes\nb: 0x1F\nc: 0o17\nd: 1e3\ne: .5\nf: Null\ng: TRUE\nh: x1\ni: 12abc\nj: +3\nk: -.5e-3\nl: '.inf'\nm: 007\nnn: 1_000\no: ~\n"
            + "p: False\nq: nan\nr: -0x5\ns: 0xFFFFFFFFFFFFFFFF\nt: 99999999999999999999\nu: 1.\nv: -a\nw: \u00e9a\nx: 'true'\nyy: 0o8\nz: tRUE\n"
            + "A: on\nB: Off\nC: n\nD: Y\nE: 010\nF: 08\nG: 0b101\nH: -0b11\nI: 2026-01-01\nJ: 2026-01-01T00:00:00Z\nK: 1e400\nL: 0x\nM: 1_0.5\nNN: 0X1f\nO: 1:20\n"
            + "P: +0o17\nQ: 9223372036854775808\nR: -9223372036854775808\nS: +9223372036854775808\nT: 0x_1F\nU: ._5\nV: yES\nW: <<\n";
        const string expected = """{"a":true,"b":31,"c":15,"d":1000,"e":0.5,"f":null,"g":true,"h":"x1","i":"12abc","j":3,"k":-0.0005,"l":".inf","m":7,"nn":1000,"o":null,"p":false,"q":"nan","r":-5,"s":18446744073709551615,"t":1E+20,"u":1,"v":"-a","w":"\u00E9a","x":"true","yy":"0o8","z":"tRUE","A":true,"B":false,"C":false,"D":true,"E":8,"F":8,"G":5,"H":-3,"I":"2026-01-01","J":"2026-01-01T00:00:00Z","K":"1e400","L":"0x","M":10.5,"NN":31,"O":"1:20","P":15,"Q":9223372036854775808,"R":-9223372036854775808,"S":9.223372036854776E+18,"T":31,"U":"._5","V":"yES","W":"\u003C\u003C"}""";
        Assert.That(Encoding.UTF8.GetString(SimpleYamlReader.TryConvert("t.yaml", yaml, 0)!.Single().Json), Is.EqualTo(expected));
        Assert.That(Encoding.UTF8.GetString(YamlJsonConverter.ConvertWithParser("t.yaml", yaml).Single().Json), Is.EqualTo(expected));
    }

    [Test]
    public void Plain_keys_become_the_text_of_their_typed_value_on_both_paths()
    {
        const string yaml = "yes: a\n'no': b\n0x10: c\n010: d\n1.5: e\n1e6: f\n0.00001: g\n123456789.0: h\n.inf: i\n-1_000: j\nnull_: k\n-0.0: m\n\"1e3\": nv\n";
        const string expected = """{"true":"a","no":"b","16":"c","8":"d","1.5":"e","1e\u002B06":"f","1e-05":"g","1.2345679e\u002B08":"h",".inf":"i","-1000":"j","null_":"k","-0":"m","1e3":"nv"}""";
        Assert.That(Encoding.UTF8.GetString(SimpleYamlReader.TryConvert("t.yaml", yaml, 0)!.Single().Json), Is.EqualTo(expected));
        Assert.That(Encoding.UTF8.GetString(YamlJsonConverter.ConvertWithParser("t.yaml", yaml).Single().Json), Is.EqualTo(expected));
        Assert.That(YamlJsonConverter.GoFloat32Text(1e39), Is.EqualTo(".inf"), "beyond float32: FormatFloat(f, 'g', -1, 32) gives +Inf, which sigs.k8s.io/yaml writes as .inf");
        Assert.That(YamlJsonConverter.GoFloat32Text(123456.0), Is.EqualTo("123456"));
        Assert.That(YamlJsonConverter.GoFloat32Text(0.0001), Is.EqualTo("0.0001"));
        Assert.That(YamlJsonConverter.GoFloat32Text(0.1), Is.EqualTo("0.1"));
        Assert.That(YamlJsonConverter.GoFloat32Text(1e21), Is.EqualTo("1e+21"));
        Assert.That(YamlJsonConverter.GoFloat32Text(-2.5e-10), Is.EqualTo("-2.5e-10"));
        Assert.That(YamlJsonConverter.GoFloat32Text(100), Is.EqualTo("100"));
    }

    [TestCase(typeof(IndexOutOfRangeException))]
    [TestCase(typeof(ArgumentOutOfRangeException))]
    [TestCase(typeof(FormatException))]
    [TestCase(typeof(OverflowException))]
    [TestCase(typeof(InvalidOperationException))]
    [TestCase(typeof(NullReferenceException))]
    [TestCase(typeof(InsufficientExecutionStackException))]
    [TestCase(typeof(System.Text.Json.JsonException))]
    public void Any_non_fatal_failure_of_the_fast_reader_means_the_general_path_decides(Type exception)
    {
        Assert.That(SimpleYamlReader.Attempt(() => throw (Exception)Activator.CreateInstance(exception)!), Is.Null);
    }

    [TestCase(typeof(OutOfMemoryException))]
    [TestCase(typeof(InsufficientMemoryException))]
    [TestCase(typeof(OperationCanceledException))]
    [TestCase(typeof(TaskCanceledException))]
    [TestCase(typeof(ThreadInterruptedException))]
    [TestCase(typeof(AccessViolationException))]
    public void A_fatal_exception_is_never_turned_into_a_fallback(Type exception)
    {
        var thrown = Assert.Catch(() => SimpleYamlReader.Attempt(() => throw (Exception)Activator.CreateInstance(exception)!));
        Assert.That(thrown, Is.TypeOf(exception));
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

    /// <summary>
    /// The differential corpus: each tricky document (anchors, merge keys, block scalars, CRLF...: mostly what the
    /// fast reader declines) read the public way must give the same objects as a plain equivalent that the fast reader
    /// takes — so the general path and the fast path are held to one meaning, not only to each other's bytes.
    /// </summary>
    [TestCaseSource(nameof(TrickyAndPlain))]
    public void A_tricky_document_gives_the_objects_of_its_plain_equivalent(string tricky, string plain)
    {
        var fast = SimpleYamlReader.TryConvert("p.yaml", plain, 0);
        Assert.That(fast, Is.Not.Null, "the fast reader takes the plain form");
        var general = YamlJsonConverter.Convert("t.yaml", tricky);
        Assert.That(general.Select(Objects), Is.EqualTo(fast!.Select(Objects)).Using<string>(JsonEqual));
        Assert.That(general.Select(d => (d.ApiVersion, d.Kind, d.Namespace, d.Name)), Is.EqualTo(fast!.Select(d => (d.ApiVersion, d.Kind, d.Namespace, d.Name))));
        AssertSameOutcome(tricky, () => YamlJsonConverter.Convert("f.yaml", tricky, 7));
    }

    /// <summary>Every manifest the repository ships reads the same both ways; the fast reader takes all but those with block scalars (the deploy ConfigMap).</summary>
    [Test]
    public void The_repository_manifests_read_the_same_on_both_paths_and_the_fast_reader_takes_them()
    {
        string manifests = Path.Combine(RepoRoot(), "manifests");
        var files = Directory.EnumerateFiles(manifests, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.That(files, Has.Count.GreaterThanOrEqualTo(5));
        foreach (string file in files)
        {
            string text = File.ReadAllText(file);
            bool blockScalars = text.Contains(": |", StringComparison.Ordinal) || text.Contains(": >", StringComparison.Ordinal);
            Assert.That(SimpleYamlReader.TryConvert(file, text, 0), blockScalars ? Is.Null : Is.Not.Null, file);
            Assert.That(
                YamlJsonConverter.Convert(file, text).Select(Describe),
                Is.EqualTo(YamlJsonConverter.ConvertWithParser(file, text).Select(Describe)),
                file);
        }
    }

    [Test]
    public void A_kind_List_gives_the_objects_of_its_items_written_as_documents()
    {
        var list = ManifestReader.ReadString("""
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: Service, metadata: {name: a, labels: {on: x}}, spec: {ports: [{port: 0x50}]}}
            - apiVersion: networking.k8s.io/v1
              kind: IngressClass
              metadata: {name: c}
              spec: {controller: portico.dev/ingress-controller}
            """);
        var documents = ManifestReader.ReadString("""
            apiVersion: v1
            kind: Service
            metadata: {name: a, labels: {"true": x}}
            spec: {ports: [{port: 80}]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata: {name: c}
            spec: {controller: portico.dev/ingress-controller}
            """);
        Assert.That(list.Objects.Select(o => k8s.KubernetesJson.Serialize(o.Value)), Is.EqualTo(documents.Objects.Select(o => k8s.KubernetesJson.Serialize(o.Value))));
        Assert.That(list.Objects, Has.Length.EqualTo(2));
    }

    private static IEnumerable<TestCaseData> TrickyAndPlain()
    {
        const string service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels: {app: web, tier: front}\nspec:\n  selector: {app: web, tier: front}\n  ports:\n  - {name: http, port: 80}\n  - {name: alt, port: 8080}\n";
        yield return new TestCaseData(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: &n web\n  labels: &l {app: *n, tier: front}\nspec:\n  selector: *l\n  ports:\n  - &p {name: http, port: 80}\n  - {name: alt, port: 8080}\n",
            service).SetName("anchors and aliases");
        yield return new TestCaseData(
            "base: &b {port: 80, protocol: TCP}\nports:\n- <<: *b\n  name: http\n- <<: [{name: x, port: 1}, *b]\n  port: 81\n- name: y\n  <<: {name: z}\n- port: 2\n  <<: {}\n",
            "base: {port: 80, protocol: TCP}\nports:\n- {port: 80, protocol: TCP, name: http}\n- {name: x, port: 81, protocol: TCP}\n- {name: z}\n- {port: 2}\n").SetName("merge keys, in document order as go-yaml v2 applies them");
        yield return new TestCaseData(
            "a: &a {x: 1, w: 0}\nb: &b\n  <<: *a\n  y: 2\nc:\n  <<: *b\n  z: 3\n  w: 4\nd: [{<<: {k: v}}]\n",
            "a: {x: 1, w: 0}\nb: {x: 1, w: 0, y: 2}\nc: {x: 1, w: 4, y: 2, z: 3}\nd: [{k: v}]\n").SetName("merge keys nested through aliases");
        yield return new TestCaseData(
            "a: |\n  line 1\n   line 2\nb: >\n  folded\n  text\n\n  para\nc: |-\n  x\nd: >+\n  y\n\ne: 1\n",
            "a: \"line 1\\n line 2\\n\"\nb: \"folded text\\npara\\n\"\nc: x\nd: \"y\\n\\n\"\ne: 1\n").SetName("block scalars");
        yield return new TestCaseData(
            "{apiVersion: v1, kind: Service, metadata: {name: web, labels: {app: web, tier: front}}, spec: {selector: {app: web, tier: front}, ports: [{name: http, port: 80}, {name: alt, port: 8080}]}}\n",
            service).SetName("flow collections");
        yield return new TestCaseData(
            "\"apiVersion\": v1\n'kind': \"Service\"\n\"metadata\":\n  'name': 'web'\n  \"labels\": {\"app\": web, 'tier': \"front\"}\nspec:\n  selector: {app: web, tier: front}\n  ports:\n  - {\"name\": http, port: 80}\n  - {name: alt, port: 8080}\n",
            service).SetName("quoted keys and values");
        yield return new TestCaseData(
            "# lead\napiVersion: v1 # trailing\nkind: Service\n# between\nmetadata:\n    # deeper\n  name: web\n  labels: {app: web, tier: front} # after flow\nspec:\n  selector: {app: web, tier: front}\n  ports:\n  # in a sequence\n  - {name: http, port: 80}\n  - {name: alt, port: 8080}\n# end\n",
            service).SetName("comments");
        yield return new TestCaseData(
            "a:\tb\nc: [1,\t2]\nd: x\t# tab before a comment\n",
            "a: b\nc: [1, 2]\nd: x\n").SetName("tabs as separators");
        yield return new TestCaseData(service.Replace("\n", "\r\n", StringComparison.Ordinal), service).SetName("CRLF line ends");
        yield return new TestCaseData("\uFEFF" + service, service).SetName("byte order mark");
        yield return new TestCaseData(
            "a: 1\n...\n---\nb: 2\n...\n",
            "a: 1\n---\nb: 2\n").SetName("multi-document with end markers");
        yield return new TestCaseData(
            "--- {a: 1}\n--- !!map\nb: 2\n--- # c\nc: 3\n",
            "a: 1\n---\nb: 2\n---\nc: 3\n").SetName("content on the --- line");
        yield return new TestCaseData(
            "---\n---\n# only a comment\n---\n~\n---\na: 1\n---\n...\n",
            "a: 1\n").SetName("empty and null documents");
        yield return new TestCaseData(
            "a: yes\nb: Off\nc: 010\nd: 0o10\ne: 0x1F\nf: 1_000\ng: ~\nh: 2026-01-01\ni: !!str 010\nj: '1_000'\n",
            "a: true\nb: false\nc: 8\nd: 8\ne: 31\nf: 1000\ng: null\nh: \"2026-01-01\"\ni: \"010\"\nj: \"1_000\"\n").SetName("YAML 1.1 typing");
    }

    private static string Objects(YamlDocument d) => Encoding.UTF8.GetString(d.Json);

    private static bool JsonEqual(string a, string b) =>
        System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(a), System.Text.Json.Nodes.JsonNode.Parse(b));

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

    /// <summary><see cref="YamlJsonConverter.Convert"/> gives what the general path gives: the same documents, or the same error.</summary>
    private static void AssertSameOutcome(string yaml, Func<List<YamlDocument>> convert)
    {
        List<YamlDocument> general;
        try
        {
            general = YamlJsonConverter.ConvertWithParser("f.yaml", yaml, 7);
        }
        catch (ManifestException e)
        {
            var thrown = Assert.Throws<ManifestException>(() => convert())!;
            Assert.That(thrown.Message, Is.EqualTo(e.Message));
            return;
        }

        Assert.That(convert().Select(Describe), Is.EqualTo(general.Select(Describe)));
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
