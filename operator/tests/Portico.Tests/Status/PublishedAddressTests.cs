using Portico.Status;

namespace Portico.Tests.Status;

public sealed class PublishedAddressTests
{
    [TestCase("192.0.2.1", "192.0.2.1", null)]
    [TestCase("0.0.0.0", "0.0.0.0", null)]
    [TestCase("255.255.255.255", "255.255.255.255", null)]
    [TestCase("2001:DB8:0:0::1", "2001:db8::1", null)]
    [TestCase("::ffff:192.0.2.1", "::ffff:192.0.2.1", null)]
    [TestCase("lb.example.com", null, "lb.example.com")]
    [TestCase("lb", null, "lb")]
    public void Valid_addresses_parse_into_an_IP_or_a_host_name(string text, string? ip, string? hostname)
    {
        Assert.That(PublishedAddress.TryParse(text, out var address), Is.True);
        Assert.That((address!.Ip, address.Hostname), Is.EqualTo((ip, hostname)));
    }

    [TestCase("")]
    [TestCase("1")]
    [TestCase("0x7f.1")]
    [TestCase("01.2.3.4")]
    [TestCase("256.1.1.1")]
    [TestCase("1.2.3.4/32")]
    [TestCase("1.2.3")]
    [TestCase("1.2.3.4%eth0")]
    [TestCase("fe80::1%eth0")]
    [TestCase("1.2.3.4\n")]
    [TestCase("lb.example.com\n")]
    [TestCase("LB.example.com")]
    [TestCase("*.example.com")]
    [TestCase("lb.example.com;")]
    [TestCase("a b")]
    [TestCase(":::")]
    public void Anything_else_is_refused(string text)
    {
        Assert.That(PublishedAddress.TryParse(text, out var address), Is.False);
        Assert.That(address, Is.Null);
    }

    [Test]
    public void IPs_sort_before_host_names_each_ordinally()
    {
        var sorted = new[] { "lb.example.com", "192.0.2.3", "a.example.com", "192.0.2.20", "2001:db8::1" }
            .Select(t => PublishedAddress.TryParse(t, out var a) ? a! : throw new AssertionException(t))
            .Order()
            .Select(a => a.ToString());

        Assert.That(sorted, Is.EqualTo(new[] { "192.0.2.20", "192.0.2.3", "2001:db8::1", "a.example.com", "lb.example.com" }));
    }
}
