using Portico.Core.Rendering.Nginx;

namespace Portico.Tests.Rendering;

/// <summary>What the renderer's memo keeps of a host comes back as it was given, or not at all.</summary>
public sealed class NginxServerMemoTests
{
    private static NginxServerMemo.Entry Entry() =>
        new(new NginxServerView("a.test", Wildcard: false, IsDefault: false, Certificate: null, Locations: [], HttpsRedirect: null), null, NginxHttpBlocks.None);

    [Test]
    public void A_server_block_is_kept_and_given_back_unchanged()
    {
        var entry = Entry();
        string block = "server {\n    server_name \"a.test\";\n    location / { proxy_pass http://x; }\n}\n";

        entry.Text = block;

        Assert.That(entry.HasText, Is.True);
        Assert.That(entry.Text, Is.EqualTo(block));
    }

    [Test]
    public void Text_that_would_not_come_back_the_same_is_not_kept()
    {
        var entry = Entry();

        entry.Text = "server { # \uD800 }";

        Assert.That(entry.HasText, Is.False);
        Assert.That(entry.Text, Is.Null);
    }

    [Test]
    public void The_shared_empty_blocks_are_never_gathered_into()
    {
        var gathered = NginxHttpBlocks.Gathering();
        Assert.That(gathered.IsEmpty, Is.True);
        Assert.That(gathered.Kept(), Is.SameAs(NginxHttpBlocks.None));
        Assert.Throws<InvalidOperationException>(() => NginxHttpBlocks.None.Include(gathered));
        Assert.DoesNotThrow(() => gathered.Include(NginxHttpBlocks.None));
    }
}
