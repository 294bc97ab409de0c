using Portico.Core.Manifests;
using Portico.Core.Model;
using k8s.Models;

namespace Portico.Tests.Offline;

public sealed class ManifestReaderTests
{
    [Test]
    public void Reads_multi_document_YAML_and_skips_kinds_Portico_does_not_use()
    {
        var set = ManifestReader.ReadString("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec: {ports: [{port: 80, name: http}]}
            ---
            # only a comment
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: web}
            spec: {ingressClassName: portico}
            """);
        Assert.That(set.Objects.Select(o => o.Value.GetType().Name), Is.EqualTo(new[] { nameof(V1Service), nameof(V1Ingress) }));
        Assert.That(set.Objects[1].Value.Metadata.NamespaceProperty, Is.EqualTo("default"), "a missing namespace is default, as with kubectl");
        Assert.That(((V1Service)set.Objects[0].Value).Spec.Ports[0].Port, Is.EqualTo(80));
        Assert.That(set.Objects[1].Line, Is.EqualTo(11));
        Assert.That(set.Diagnostics, Is.Empty);
    }

    [Test]
    public void Reads_kind_List_items()
    {
        var set = ManifestReader.ReadString("""
            apiVersion: v1
            kind: List
            items:
              - {apiVersion: v1, kind: Service, metadata: {name: a}}
              - {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}
              - {apiVersion: networking.k8s.io/v1, kind: IngressClass, metadata: {name: c}, spec: {controller: x}}
            """);
        Assert.That(set.Objects.Select(o => o.Value.Metadata.Name), Is.EqualTo(new[] { "a", "c" }));
        Assert.That(set.Objects[1].Value.Metadata.NamespaceProperty, Is.Null, "IngressClass is cluster-scoped");
    }

    [Test]
    public void Reads_JSON_manifests_too()
    {
        var set = ManifestReader.ReadString("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},"spec":{"ports":[{"port":80}]}}""");
        Assert.That(set.Objects.Single().Value.Metadata.Name, Is.EqualTo("a"));
    }

    [TestCase("'80'", true)]
    [TestCase("\"80\"", true)]
    [TestCase("80", false)]
    public void Quoted_scalars_stay_strings_and_plain_numbers_are_numbers(string value, bool isString)
    {
        var set = ManifestReader.ReadString($"""
            apiVersion: v1
            kind: Secret
            metadata: {"{"}name: a, annotations: {"{"}note: {value}{"}"}{"}"}
            """);
        if (isString)
        {
            Assert.That(set.Objects.Single().Value.Metadata.Annotations["note"], Is.EqualTo("80"));
        }
        else
        {
            Assert.That(set.Objects, Is.Empty, "a number where a string is required does not fit the kind");
            var diagnostic = set.Diagnostics.Single();
            Assert.That(diagnostic.Target, Is.EqualTo(new ObjectRef("Secret", "default", "a")));
            Assert.That(diagnostic.Field, Is.EqualTo("metadata.annotations.note"));
            Assert.That(diagnostic.Message, Does.Contain("<input>:1"));
        }
    }

    [Test]
    public void An_object_that_does_not_fit_its_kind_is_a_diagnostic_and_the_others_are_kept()
    {
        var set = ManifestReader.ReadString("""
            apiVersion: v1
            kind: Service
            metadata: {name: bad, namespace: shop}
            spec: {ports: "not a list"}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: good}
            """);
        Assert.That(set.Objects.Single().Value.Metadata.Name, Is.EqualTo("good"));
        var diagnostic = set.Diagnostics.Single();
        Assert.That((diagnostic.Severity, diagnostic.Target.ToString(), diagnostic.Field), Is.EqualTo((Severity.Error, "Service shop/bad", "spec.ports")));
    }

    [Test]
    public void An_old_apiVersion_of_a_kind_Portico_reads_gets_a_warning()
    {
        var set = ManifestReader.ReadString("""
            apiVersion: networking.k8s.io/v1beta1
            kind: Ingress
            metadata: {name: old, namespace: shop}
            """);
        Assert.That(set.Objects, Is.Empty);
        Assert.That(set.Diagnostics.Single().ToString(), Does.Contain("Ingress shop/old: apiVersion").And.Contain("networking.k8s.io/v1beta1"));
    }

    [Test]
    public void An_object_without_a_name_is_an_error()
    {
        var set = ManifestReader.ReadString("apiVersion: v1\nkind: Service\nmetadata: {namespace: a}\n");
        Assert.That(set.Diagnostics.Single().Field, Is.EqualTo("metadata.name"));
    }

    [TestCase("apiVersion: v1\nkind: Service\nmetadata: {name: a\n", 4)]
    [TestCase("apiVersion: v1\nkind: Service\n  bad indent: x\n", 3)]
    [TestCase("apiVersion: v1\nkind: Service\nkind: Secret\n", 3)]
    [TestCase("apiVersion: v1\nkind: Service\n<<: a\n", 3)]
    [TestCase("- a\n- b\n", 1)]
    [TestCase("just a string\n", 1)]
    [TestCase("a: *unknown\n", 1)]
    public void YAML_that_does_not_parse_is_unusable_input_with_file_and_line(string text, int line)
    {
        var e = Assert.Throws<ManifestException>(() => ManifestReader.ReadString(text, "bad.yaml"))!;
        Assert.That(e.File, Is.EqualTo("bad.yaml"));
        Assert.That(e.Line, Is.EqualTo(line), e.Message);
        Assert.That(e.Message, Does.StartWith($"bad.yaml:{line}: "));
    }

    [Test]
    public void Anchors_and_aliases_expand()
    {
        var set = ManifestReader.ReadString("""
            apiVersion: v1
            kind: Service
            metadata:
              name: a
              labels: &labels {app: web, tier: front}
              annotations: *labels
            """);
        Assert.That(set.Objects.Single().Value.Metadata.Annotations, Is.EqualTo(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" }));
    }

    [Test]
    public void A_billion_laughs_document_is_refused_not_expanded()
    {
        var yaml = new System.Text.StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 10; i++)
        {
            yaml.Append($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        }

        var e = Assert.Throws<ManifestException>(() => ManifestReader.ReadString(yaml.ToString()))!;
        Assert.That(e.Message, Does.Contain("expands to more than"));
    }

    [Test]
    public void Big_files_are_cut_into_chunks_at_document_markers_and_read_in_order_with_true_line_numbers()
    {
        string file = Path.Combine(Path.GetTempPath(), $"portico-big-{Guid.NewGuid():N}.yaml");
        try
        {
            var text = new System.Text.StringBuilder();
            for (int i = 0; i < 4000; i++)
            {
                text.Append($"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s{i}\n  annotations:\n    note: \"{new string('x', 60)}\"\n");
            }

            File.WriteAllText(file, text.ToString());
            Assert.That(ManifestReader.Chunk(file, text.ToString()).Count(), Is.GreaterThan(1), "the test needs a file that is cut");
            var set = ManifestReader.Read([file]);
            Assert.That(set.Objects.Select(o => o.Value.Metadata.Name), Is.EqualTo(Enumerable.Range(0, 4000).Select(i => $"s{i}")));
            Assert.That(set.Objects.Select(o => o.Line), Is.EqualTo(Enumerable.Range(0, 4000).Select(i => (long)(i * 7) + 1)));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestCase("utf-8")]
    [TestCase("utf-8-bom")]
    [TestCase("utf-16")]
    [TestCase("utf-8-invalid")]
    public void Files_read_as_File_ReadAllText_would_read_them_whole_and_in_pieces(string encoding)
    {
        string file = Path.Combine(Path.GetTempPath(), $"portico-enc-{Guid.NewGuid():N}.yaml");
        try
        {
            var text = new System.Text.StringBuilder();
            for (int i = 0; i < 3000; i++)
            {
                text.Append($"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s{i}\n  annotations:\n    note: \"h\u00e9llo w\u00f6rld \u65e5\u672c {new string('x', 60)}\"\n");
            }

            byte[] bytes = encoding switch
            {
                "utf-8-bom" => [.. System.Text.Encoding.UTF8.GetPreamble(), .. System.Text.Encoding.UTF8.GetBytes(text.ToString())],
                "utf-16" => [.. System.Text.Encoding.Unicode.GetPreamble(), .. System.Text.Encoding.Unicode.GetBytes(text.ToString())],
                _ => System.Text.Encoding.UTF8.GetBytes(text.ToString()),
            };
            if (encoding == "utf-8-invalid")
            {
                // A lone continuation byte and a cut-off sequence, both inside annotation values.
                int at = Array.IndexOf(bytes, (byte)'x', bytes.Length / 2);
                bytes[at] = 0x80;
                bytes[at + 1] = 0xE6;
            }

            File.WriteAllBytes(file, bytes);
            var expected = ManifestReader.ReadString(File.ReadAllText(file), file);
            var actual = ManifestReader.Read([file]);
            Assert.That(actual.Objects.Select(o => (o.Value.Metadata.Name, o.Line, o.Value.Metadata.Annotations["note"])), Is.EqualTo(expected.Objects.Select(o => (o.Value.Metadata.Name, o.Line, o.Value.Metadata.Annotations["note"]))));
            Assert.That(actual.Diagnostics, Is.EqualTo(expected.Diagnostics));
            Assert.That(actual.Objects, Has.Length.EqualTo(3000));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void Directories_are_read_recursively_in_name_order_and_missing_paths_are_unusable()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"portico-dir-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(directory, "sub"));
        try
        {
            File.WriteAllText(Path.Combine(directory, "b.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: b}\n");
            File.WriteAllText(Path.Combine(directory, "sub", "a.yml"), "apiVersion: v1\nkind: Service\nmetadata: {name: c}\n");
            File.WriteAllText(Path.Combine(directory, "a.json"), """{"apiVersion":"v1","kind":"Service","metadata":{"name":"a"}}""");
            File.WriteAllText(Path.Combine(directory, "notes.txt"), "not a manifest: {");
            Assert.That(ManifestReader.Read([directory]).Objects.Select(o => o.Value.Metadata.Name), Is.EqualTo(new[] { "a", "b", "c" }));
            Assert.Throws<ManifestException>(() => ManifestReader.Read([Path.Combine(directory, "nope")]));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // YAML typing as kubectl reads YAML (sigs.k8s.io/yaml over go-yaml v2; docs/ci-diff.md, "YAML is read as kubectl apply reads it").

    [TestCase("80", 80)]
    [TestCase("0x50", 80)]
    [TestCase("0X50", 80)]
    [TestCase("0o120", 80)]
    [TestCase("0120", 80, Description = "a leading 0 is octal")]
    [TestCase("010", 8)]
    [TestCase("08", 8, Description = "not octal, so a float: 8")]
    [TestCase("8_0", 80)]
    [TestCase("+80", 80)]
    [TestCase("0b1010000", 80)]
    [TestCase("8e1", 80, Description = "a float with an integer value")]
    [TestCase("80.0", 80)]
    [TestCase("!!int '80'", 80, Description = "a core tag types quoted text too")]
    [TestCase("!!float 80", 80)]
    public void A_port_number_is_read_as_kubectl_reads_it(string written, int port)
    {
        var set = ManifestReader.ReadString($"apiVersion: v1\nkind: Service\nmetadata: {{name: a}}\nspec:\n  ports:\n  - port: {written}\n");
        Assert.That(set.Diagnostics, Is.Empty);
        Assert.That(((V1Service)set.Objects.Single().Value).Spec.Ports.Single().Port, Is.EqualTo(port));
    }

    [TestCase("'80'")]
    [TestCase("1.5")]
    [TestCase("yes")]
    [TestCase("on")]
    [TestCase("0x50z")]
    [TestCase("2026-01-01")]
    public void A_port_written_as_something_kubectl_would_not_send_as_an_integer_does_not_fit(string written)
    {
        var set = ManifestReader.ReadString($"apiVersion: v1\nkind: Service\nmetadata: {{name: a}}\nspec:\n  ports:\n  - port: {written}\n");
        Assert.That(set.Objects, Is.Empty);
        Assert.That(set.Diagnostics.Single().Field, Does.StartWith("spec.ports"));
    }

    [TestCase("'yes'", "yes")]
    [TestCase("\"on\"", "on")]
    [TestCase("yES", "yES")]
    [TestCase("2026-01-01", "2026-01-01", Description = "a timestamp stays the text it was")]
    [TestCase("2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z")]
    [TestCase("1:20", "1:20", Description = "no sexagesimal numbers")]
    [TestCase("1e400", "1e400", Description = "beyond a float64: go-yaml leaves it a string")]
    [TestCase("0x", "0x")]
    [TestCase("nan", "nan")]
    [TestCase("!!str 010", "010")]
    [TestCase("!custom 010", "010", Description = "a tag go-yaml does not resolve gives a string")]
    [TestCase("!!timestamp 2026-01-01", "2026-01-01")]
    public void An_annotation_value_that_kubectl_reads_as_a_string_is_that_string(string written, string value)
    {
        var set = ManifestReader.ReadString($"apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  annotations:\n    x: {written}\n");
        Assert.That(set.Diagnostics, Is.Empty);
        Assert.That(set.Objects.Single().Value.Metadata.Annotations["x"], Is.EqualTo(value));
    }

    [TestCase("yes")]
    [TestCase("No")]
    [TestCase("ON")]
    [TestCase("off")]
    [TestCase("y")]
    [TestCase("N")]
    [TestCase("True")]
    [TestCase("010")]
    [TestCase("0o10")]
    [TestCase("0x1F")]
    [TestCase("1_000")]
    [TestCase("1e3")]
    [TestCase("!!bool 'yes'")]
    [TestCase("!!int \"0x1F\"")]
    public void An_annotation_value_that_kubectl_reads_as_a_boolean_or_number_does_not_fit(string written)
    {
        // kubectl sends it as a JSON boolean or number; the API server refuses it ("cannot unmarshal bool into ... of type string").
        var set = ManifestReader.ReadString($"apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  annotations:\n    x: {written}\n");
        Assert.That(set.Objects, Is.Empty);
        var diagnostic = set.Diagnostics.Single();
        Assert.That(diagnostic.Target, Is.EqualTo(new ObjectRef("Service", "default", "a")));
        Assert.That(diagnostic.Field, Is.EqualTo("metadata.annotations.x"));
    }

    [TestCase(".inf")]
    [TestCase("-.Inf")]
    [TestCase("+.INF")]
    [TestCase(".nan")]
    public void A_float_JSON_cannot_hold_is_unusable_input_as_kubectl_has_it(string written)
    {
        // kubectl: "error converting YAML to JSON: json: unsupported value: +Inf".
        var e = Assert.Throws<ManifestException>(() => ManifestReader.ReadString($"apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  annotations:\n    x: {written}\n", "f.yaml"))!;
        Assert.That(e.Line, Is.EqualTo(6));
        Assert.That(e.Message, Does.Contain("JSON cannot hold"));
    }

    [TestCase("!!int abc", "does not read as the !!int")]
    [TestCase("!!int 1.5", "does not read as the !!int")]
    [TestCase("!!bool 1", "does not read as the !!bool")]
    [TestCase("!!null x", "does not read as the !!null")]
    [TestCase("!!float yes", "does not read as the !!float")]
    public void A_value_that_does_not_read_as_its_core_tag_says_is_unusable_input(string written, string message)
    {
        // kubectl: "cannot decode !!str `abc` as a !!int".
        var e = Assert.Throws<ManifestException>(() => ManifestReader.ReadString($"apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  annotations:\n    x: {written}\n", "f.yaml"))!;
        Assert.That(e.Line, Is.EqualTo(6));
        Assert.That(e.Message, Does.Contain(message));
    }

    [Test]
    public void Plain_keys_that_type_as_booleans_or_numbers_become_their_JSON_text()
    {
        var set = ManifestReader.ReadString("""
            apiVersion: v1
            kind: Service
            metadata:
              name: a
              labels: {on: a, n: b, 0x10: c, 010: d, 1_000: e, 'yes': f, "0x10x": g, 1.50: h}
            """);
        Assert.That(set.Objects.Single().Value.Metadata.Labels, Is.EqualTo(new Dictionary<string, string>
        {
            ["true"] = "a", ["false"] = "b", ["16"] = "c", ["8"] = "d", ["1000"] = "e", ["yes"] = "f", ["0x10x"] = "g", ["1.5"] = "h",
        }));
    }

    [TestCase("metadata: {name: a, labels: {yes: a, on: b}}", 1, "duplicate key \"true\"")]
    [TestCase("metadata: {name: a, labels: {0x10: a, 16: b}}", 1, "duplicate key \"16\"")]
    [TestCase("metadata: {name: a, labels: {~: a}}", 1, "is null")]
    [TestCase("metadata: {name: a, labels: {18446744073709551615: a}}", 1, "beyond int64")]
    public void Keys_kubectl_refuses_or_that_collide_once_typed_are_unusable_input(string line, int lineNumber, string message)
    {
        var e = Assert.Throws<ManifestException>(() => ManifestReader.ReadString(line + "\n", "f.yaml"))!;
        Assert.That(e.Line, Is.EqualTo(lineNumber));
        Assert.That(e.Message, Does.Contain(message));
    }

    [Test]
    public void Merge_keys_are_applied()
    {
        var set = ManifestReader.ReadString("""
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              labels: &labels {app: web}
            spec:
              selector:
                <<: *labels
                tier: front
              ports:
              - &http {name: http, port: 80, protocol: TCP}
              - <<: *http
                name: alt
                port: 8080
            """);
        Assert.That(set.Diagnostics, Is.Empty);
        var service = (V1Service)set.Objects.Single().Value;
        Assert.That(service.Spec.Selector, Is.EqualTo(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" }));
        Assert.That(service.Spec.Ports.Select(p => (p.Name, p.Port, p.Protocol)), Is.EqualTo(new[] { ("http", 80, "TCP"), ("alt", 8080, "TCP") }));
    }

    [Test]
    public void Merge_keys_apply_in_document_order_as_go_yaml_v2_applies_them()
    {
        var set = ManifestReader.ReadString("""
            apiVersion: v1
            kind: Service
            metadata:
              name: a
              labels: {x: explicit-first, <<: {x: merged-later, z: merged}}
              annotations: {<<: {x: merged-first}, x: explicit-later}
            spec:
              selector:
                <<: [{a: first, b: first}, {a: second, c: second}]
            """);
        var service = (V1Service)set.Objects.Single().Value;
        Assert.That(service.Metadata.Labels, Is.EqualTo(new Dictionary<string, string> { ["x"] = "merged-later", ["z"] = "merged" }), "a later merge sets the key again");
        Assert.That(service.Metadata.Annotations, Is.EqualTo(new Dictionary<string, string> { ["x"] = "explicit-later" }));
        Assert.That(service.Spec.Selector, Is.EqualTo(new Dictionary<string, string> { ["a"] = "first", ["b"] = "first", ["c"] = "second" }), "of a sequence, the earlier mapping wins");
    }

    [Test]
    public void A_merged_in_name_names_the_object_in_its_diagnostics()
    {
        var set = ManifestReader.ReadString("""
            base: &m {name: merged, namespace: shop}
            ---
            apiVersion: v1
            kind: Service
            metadata: {<<: {name: merged, namespace: shop}}
            spec: {ports: yes}
            """);
        Assert.That(set.Diagnostics.Single().Target, Is.EqualTo(new ObjectRef("Service", "shop", "merged")));
    }

    [TestCase("metadata: {name: a}\nspec: {<<: a}\n", 2)]
    [TestCase("metadata: {name: a}\nspec: {<<: [{a: b}, c]}\n", 2)]
    [TestCase("x: &s [{a: b}]\nspec: {<<: *s}\n", 2)]
    [TestCase("x: &s 1\nspec:\n  <<: *s\n", 3)]
    [TestCase("spec: {<<: {a: 1}, b: 1, b: 2}\n", 1)]
    public void A_merge_key_with_a_value_go_yaml_refuses_or_a_duplicate_key_beside_it_is_unusable_input(string yaml, int line)
    {
        var e = Assert.Throws<ManifestException>(() => ManifestReader.ReadString(yaml, "f.yaml"))!;
        Assert.That(e.Line, Is.EqualTo(line), e.Message);
    }
}
