namespace Portico.Core.Model.Policies;

/// <summary>ingress-nginx buffering settings: response buffering, its first-buffer size, request buffering; null is the default.</summary>
public sealed record BufferingRule(bool? Response, long? ResponseBufferSizeBytes, bool? Request);
