using System.Text;
using k8s.Models;

namespace Portico.Core.Kubernetes;

/// <summary>
/// A Secret's keys as the API server would store them: <c>data</c> with <c>stringData</c> merged over it
/// (stringData wins). The API server never returns stringData, but a manifest (render, validate, local mode) may hold it.
/// </summary>
public static class SecretData
{
    public static IReadOnlyDictionary<string, byte[]> Of(V1Secret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.StringData is not { Count: > 0 } text)
        {
            return secret.Data is { } data ? data.AsReadOnly() : new Dictionary<string, byte[]>();
        }

        var merged = new Dictionary<string, byte[]>(secret.Data ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal);
        foreach (var (key, value) in text.Where(p => p.Value is not null))
        {
            merged[key] = Encoding.UTF8.GetBytes(value);
        }

        return merged;
    }
}
