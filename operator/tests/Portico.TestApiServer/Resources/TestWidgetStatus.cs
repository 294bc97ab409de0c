using System.Text.Json.Serialization;
using k8s.Models;

namespace Portico.TestApiServer.Resources;

/// <summary>The status of a <see cref="TestWidget"/>: metav1 conditions only.</summary>
public sealed class TestWidgetStatus
{
    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; set; }
}
