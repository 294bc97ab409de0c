using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using Portico.Core.Kubernetes;

namespace Portico.Tests.Kinds;

/// <summary>
/// Objects are read with strings shared through a fixed table (SharedStrings); what is read must be exactly what the
/// client library reads, only with repeated values kept once.
/// </summary>
public sealed class SharedStringsTests
{
    private static V1Service ReadService(string json) => (V1Service)KnownKinds.Deserialize(Encoding.UTF8.GetBytes(json), typeof(V1Service));

    [Test]
    public void A_value_repeated_across_objects_is_kept_once()
    {
        var first = ReadService("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"a","namespace":"team-shared","labels":{"app.kubernetes.io/part-of":"shop"}},"spec":{"ports":[{"name":"http","port":80,"protocol":"TCP"}]}}""");
        var second = ReadService("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"b","namespace":"team-shared","labels":{"app.kubernetes.io/part-of":"shop"}},"spec":{"ports":[{"name":"http","port":81,"protocol":"TCP"}]}}""");

        Assert.Multiple(() =>
        {
            Assert.That(ReferenceEquals(first.Metadata.NamespaceProperty, second.Metadata.NamespaceProperty), Is.True, "namespace");
            Assert.That(ReferenceEquals(first.Spec.Ports[0].Protocol, second.Spec.Ports[0].Protocol), Is.True, "protocol");
            Assert.That(ReferenceEquals(first.Metadata.Labels.Keys.Single(), second.Metadata.Labels.Keys.Single()), Is.True, "label key");
            Assert.That(ReferenceEquals(first.Metadata.Labels.Values.Single(), second.Metadata.Labels.Values.Single()), Is.True, "label value");
            Assert.That(first.Metadata.Name, Is.EqualTo("a"));
            Assert.That(second.Metadata.Name, Is.EqualTo("b"));
        });
    }

    [TestCase("plain")]
    [TestCase("with \\\"quotes\\\" and \\\\ and \\n")]
    [TestCase("\\u00e9t\\u00e9 \\ud83d\\ude00")]
    [TestCase("été 😀 ünïcödé")]
    [TestCase("")]
    public void Values_read_through_the_table_equal_what_the_client_library_reads(string jsonText)
    {
        string longText = string.Concat(Enumerable.Repeat(jsonText + "x", 40));
        string json = $$$"""{"apiVersion":"v1","kind":"Service","metadata":{"name":"n","namespace":"ns","annotations":{"{{{jsonText}}}":"{{{jsonText}}}","long":"{{{longText}}}"}},"spec":{"externalName":"{{{jsonText}}}","type":null}}""";

        var ours = ReadService(json);
        var library = KubernetesJson.Deserialize<V1Service>(json);

        Assert.That(KubernetesJson.Serialize(ours), Is.EqualTo(KubernetesJson.Serialize(library)));
        Assert.That(ours.Spec.Type, Is.Null);
    }

    [Test]
    public void Random_text_reads_as_the_client_library_reads_it()
    {
        var random = new Random(1301);
        string[] pieces = ["a", "Z", "-", ".", "é", "😀", "\\n", "\\\"", "\\u0041", " ", "0"];
        for (int round = 0; round < 500; round++)
        {
            var text = new StringBuilder();
            int length = random.Next(0, 200);
            for (int i = 0; i < length; i++)
            {
                text.Append(pieces[random.Next(pieces.Length)]);
            }

            string json = "{\"metadata\":{\"name\":\"" + text + "\",\"labels\":{\"" + text + "\":\"" + text + "\"}}}";
            var ours = ReadService(json);
            var library = KubernetesJson.Deserialize<V1Service>(json);
            Assert.That(KubernetesJson.Serialize(ours), Is.EqualTo(KubernetesJson.Serialize(library)), json);
        }
    }

    [Test]
    public void Text_that_is_not_UTF8_is_refused_as_the_client_library_refuses_it()
    {
        byte[] json = [.. Encoding.UTF8.GetBytes("""{"metadata":{"name":"a"""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}}")];

        Assert.Throws(Is.InstanceOf<Exception>(), () => JsonSerializer.Deserialize<V1Service>(json, LibraryOptions()));
        Assert.Throws<JsonException>(() => KnownKinds.Deserialize(json, typeof(V1Service)));
    }

    [Test]
    public void A_number_where_a_string_belongs_is_refused()
    {
        Assert.Throws<JsonException>(() => ReadService("""{"metadata":{"name":5}}"""));
    }

    [Test]
    public void Different_values_in_one_slot_are_never_confused()
    {
        var table = new SharedStrings();
        for (int i = 0; i < 3 * SharedStrings.Slots; i++)
        {
            string value = "v" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(table.Get(Encoding.UTF8.GetBytes(value)), Is.EqualTo(value));
        }

        string again = table.Get("shop"u8);
        Assert.That(table.Get("shop"u8), Is.SameAs(again));
        Assert.That(table.Get(Encoding.UTF8.GetBytes(new string('x', SharedStrings.MaxLength + 1))), Has.Length.EqualTo(SharedStrings.MaxLength + 1));
    }

    [Test]
    public void The_client_librarys_options_get_the_table_while_they_can_change_and_a_copy_gets_it_after()
    {
        var open = new JsonSerializerOptions();
        Assert.That(KubernetesJsonOptions.WithSharedStrings(open), Is.SameAs(open));
        Assert.That(open.Converters.OfType<SharedStrings>(), Has.Exactly(1).Items);

        var used = new JsonSerializerOptions { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };
        used.MakeReadOnly();
        var copy = KubernetesJsonOptions.WithSharedStrings(used);
        Assert.That(copy, Is.Not.SameAs(used));
        Assert.That(copy.Converters.OfType<SharedStrings>(), Has.Exactly(1).Items);
        Assert.That(used.Converters, Is.Empty);
    }

    private static JsonSerializerOptions LibraryOptions()
    {
        JsonSerializerOptions? options = null;
        KubernetesJson.AddJsonOptions(o => options = o);
        return options!;
    }
}
