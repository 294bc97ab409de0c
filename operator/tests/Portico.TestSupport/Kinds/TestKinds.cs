using Portico.Core.Kubernetes;

namespace Portico.TestSupport.Kinds;

/// <summary>Test-only kinds and the registries that add them to Portico's own.</summary>
public static class TestKinds
{
    /// <summary>Widgets: namespaced, reached through the custom-objects path, like a CRD's kind.</summary>
    public static KindDefinition<Widget> Widget { get; } =
        new("Widget", "test.portico.dev", "v1", "widgets", namespaced: true) { Api = KindApi.CustomObjects };

    /// <summary>Portico's kinds plus <see cref="Widget"/>, required or optional.</summary>
    public static KindRegistry WithWidgets(KindRequirement requirement = KindRequirement.Required) =>
        KindRegistry.Default.With(Widget with { Requirement = requirement });
}
