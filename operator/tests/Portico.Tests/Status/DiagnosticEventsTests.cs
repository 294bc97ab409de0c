using Portico.Core.Building;
using Portico.Core.Model;
using Portico.Core.Values;
using Portico.Status;

namespace Portico.Tests.Status;

public sealed class DiagnosticEventsTests
{
    private static readonly Diagnostic Sample = new(Severity.Error, new ObjectRef("Ingress", "shop", "web"), "spec.rules[0].host", "is not valid");

    [Test]
    public void The_name_depends_on_the_diagnostic_alone()
    {
        var same = Sample with { };
        var otherField = Sample with { Field = "spec.rules[1].host" };
        var otherSeverity = Sample with { Severity = Severity.Warning };

        Assert.Multiple(() =>
        {
            Assert.That(DiagnosticEvents.NameFor(same), Is.EqualTo(DiagnosticEvents.NameFor(Sample)));
            Assert.That(DiagnosticEvents.NameFor(Sample), Does.Match("^web\\.[0-9a-f]{16}\\z"));
            Assert.That(DiagnosticEvents.NameFor(otherField), Is.Not.EqualTo(DiagnosticEvents.NameFor(Sample)));
            Assert.That(DiagnosticEvents.NameFor(otherSeverity), Is.Not.EqualTo(DiagnosticEvents.NameFor(Sample)));
        });
    }

    // The name is cut at 236 characters (253 less "." and the hash): the cut may land on a dash, a dot or a letter.
    [TestCase(46, 15)]
    [TestCase(58, -1)]
    [TestCase(62, -1)]
    public void Long_object_names_are_cut_so_the_Event_name_stays_a_valid_subdomain(int before, int after)
    {
        string label = after < 0 ? new string('a', before) : new string('a', before) + "-" + new string('a', after);
        string name = string.Concat(Enumerable.Repeat(label + ".", 10))[..DnsGrammar.MaxSubdomainLength].TrimEnd('.', '-');
        Assume.That(DnsGrammar.IsSubdomain(name), Is.True);
        var diagnostic = Sample with { Target = new ObjectRef("Ingress", "shop", name) };

        string eventName = DiagnosticEvents.NameFor(diagnostic);

        Assert.Multiple(() =>
        {
            Assert.That(DnsGrammar.IsSubdomain(eventName), Is.True, eventName);
            Assert.That(eventName, Does.StartWith(name[..200]));
        });
    }

    [Test]
    public void Long_messages_are_cut_to_1024_characters_without_splitting_a_surrogate_pair()
    {
        string message = new string('x', 1001) + string.Concat(Enumerable.Repeat("\U0001F600", 100));
        var diagnostic = Sample with { Field = "f", Message = message };

        string cut = DiagnosticEvents.MessageFor(diagnostic);

        Assert.Multiple(() =>
        {
            Assert.That(cut.Length, Is.LessThanOrEqualTo(DiagnosticEvents.MaxMessageLength));
            Assert.That(cut, Does.EndWith("..."));
            Assert.That(char.IsHighSurrogate(cut[^4]), Is.False);
        });
    }
}
