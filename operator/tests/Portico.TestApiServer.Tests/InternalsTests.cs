using System.Text.Json.Nodes;
using Portico.TestApiServer.Api;
using Portico.TestApiServer.Patching;
using Portico.TestApiServer.Selectors;

namespace Portico.TestApiServer.Tests;

/// <summary>Table tests of the pure pieces: label selector matching and the two patch formats.</summary>
public sealed class InternalsTests
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        ["app"] = "web",
        ["tier"] = "front",
        ["replicas"] = "3",
        ["example.com/team"] = "a",
    };

    [TestCase("app=web", true)]
    [TestCase("app = web", true)]
    [TestCase("app=api", false)]
    [TestCase("app!=api", true)]
    [TestCase("missing!=x", true)]
    [TestCase("example.com/team", true)]
    [TestCase("!example.com/team", false)]
    [TestCase("!missing", true)]
    [TestCase("tier in (front,back)", true)]
    [TestCase("tier notin (front)", false)]
    [TestCase("missing notin (front)", true)]
    [TestCase("replicas>2", true)]
    [TestCase("replicas<3", false)]
    [TestCase("app=web,tier=back", false)]
    [TestCase("app=web,tier=front,example.com/team=a", true)]
    public void Label_selectors_match_like_the_real_server(string selector, bool matches)
    {
        Assert.That(LabelSelector.Parse(selector).Matches(Labels), Is.EqualTo(matches));
    }

    [TestCase("app in ()")]
    [TestCase("app==")]
    public void Degenerate_but_valid_label_selectors_parse(string selector)
    {
        Assert.That(() => LabelSelector.Parse(selector), Throws.Nothing);
    }

    [TestCase("replicas>x")]
    [TestCase("a b")]
    [TestCase("=a")]
    [TestCase("a in b")]
    public void Invalid_label_selectors_are_BadRequest(string selector)
    {
        Assert.That(() => LabelSelector.Parse(selector), Throws.TypeOf<ApiException>().With.Property(nameof(ApiException.Code)).EqualTo(400));
    }

    [TestCase("""{"a":1,"b":{"c":2,"d":3}}""", """{"b":{"c":null,"e":4},"f":[1]}""", """{"a":1,"b":{"d":3,"e":4},"f":[1]}""")]
    [TestCase("""{"a":[1,2]}""", """{"a":[3]}""", """{"a":[3]}""")]
    [TestCase("""{"a":1}""", """{"a":{"b":null,"c":1}}""", """{"a":{"c":1}}""")]
    public void Merge_patches_follow_RFC_7386(string target, string patch, string expected)
    {
        var result = MergePatch.Apply(JsonNode.Parse(target), JsonNode.Parse(patch));

        Assert.That(JsonNode.DeepEquals(result, JsonNode.Parse(expected)), Is.True, result?.ToJsonString());
    }

    [TestCase("""{"a":[1,2]}""", """[{"op":"add","path":"/a/1","value":9}]""", """{"a":[1,9,2]}""")]
    [TestCase("""{"a":[1,2]}""", """[{"op":"add","path":"/a/-","value":9}]""", """{"a":[1,2,9]}""")]
    [TestCase("""{"a/b":{"c~d":1}}""", """[{"op":"replace","path":"/a~1b/c~0d","value":2}]""", """{"a/b":{"c~d":2}}""")]
    [TestCase("""{"a":1,"b":{}}""", """[{"op":"move","from":"/a","path":"/b/a"}]""", """{"b":{"a":1}}""")]
    [TestCase("""{"a":{"x":1}}""", """[{"op":"copy","from":"/a","path":"/b"},{"op":"test","path":"/b/x","value":1}]""", """{"a":{"x":1},"b":{"x":1}}""")]
    public void Json_patches_follow_RFC_6902(string target, string patch, string expected)
    {
        var result = JsonPatch.Apply(JsonNode.Parse(target)!, JsonNode.Parse(patch)!.AsArray());

        Assert.That(JsonNode.DeepEquals(result, JsonNode.Parse(expected)), Is.True, result.ToJsonString());
    }

    [TestCase("""[{"op":"remove","path":"/missing"}]""")]
    [TestCase("""[{"op":"replace","path":"/a/5","value":1}]""")]
    [TestCase("""[{"op":"test","path":"/a","value":[1]}]""")]
    [TestCase("""[{"op":"jump","path":"/a"}]""")]
    public void Failing_json_patches_throw(string patch)
    {
        Assert.That(() => JsonPatch.Apply(JsonNode.Parse("""{"a":[1,2]}""")!, JsonNode.Parse(patch)!.AsArray()), Throws.InstanceOf<FormatException>());
    }
}
