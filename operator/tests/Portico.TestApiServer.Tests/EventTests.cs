using k8s;
using k8s.Models;
using Portico.TestApiServer.Tests.Support;

namespace Portico.TestApiServer.Tests;

/// <summary>Events through both APIs a client may use (core v1 and events.k8s.io/v1), found by what they are about.</summary>
public sealed class EventTests : ApiServerTest
{
    [Test]
    public async Task Core_events_are_found_by_the_object_they_involve()
    {
        await Client.CoreV1.CreateNamespacedEventAsync(TestObjects.CoreEvent("web.1", "default", "web"), "default");
        await Client.CoreV1.CreateNamespacedEventAsync(TestObjects.CoreEvent("api.1", "default", "api"), "default");

        var aboutWeb = await Client.CoreV1.ListNamespacedEventAsync(
            "default", fieldSelector: "involvedObject.kind=Ingress,involvedObject.name=web,reason=Synced,source=portico");

        Assert.That(aboutWeb.Items.Select(e => e.Metadata.Name), Is.EqualTo(new[] { "web.1" }));
    }

    [Test]
    public async Task Events_v1_events_are_found_by_what_they_regard()
    {
        await Client.EventsV1.CreateNamespacedEventAsync(TestObjects.Event("web.1", "default", "web"), "default");
        await Client.EventsV1.CreateNamespacedEventAsync(TestObjects.Event("api.1", "default", "api"), "default");

        var aboutWeb = await Client.EventsV1.ListNamespacedEventAsync("default", fieldSelector: "regarding.name=web,type=Normal");

        Assert.Multiple(() =>
        {
            Assert.That(aboutWeb.Items.Select(e => e.Metadata.Name), Is.EqualTo(new[] { "web.1" }));
            Assert.That(aboutWeb.Items.Single().ReportingController, Is.EqualTo("portico.dev/ingress-controller"));
        });
    }

    [Test]
    public async Task Replacing_a_missing_event_creates_it()
    {
        var replaced = await Client.CoreV1.ReplaceNamespacedEventAsync(TestObjects.CoreEvent("web.1", "default", "web"), "web.1", "default");

        Assert.Multiple(() =>
        {
            Assert.That(replaced.Metadata.Uid, Is.Not.Null.And.Not.Empty);
            Assert.That(Server.Get<Corev1Event>("default", "web.1"), Is.Not.Null);
        });
    }
}
