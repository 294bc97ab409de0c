using System.Text.Json.Serialization;

namespace Portico.TestSupport.Kinds;

public sealed class WidgetSpec
{
    [JsonPropertyName("color")]
    public string? Color { get; set; }
}
