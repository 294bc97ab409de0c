using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Portico.TestSupport.Nginx;

/// <summary>What came back: status, headers (response and content, case-insensitive), body, and over TLS the server certificate.</summary>
public sealed record ProxyResponse(int StatusCode, IReadOnlyDictionary<string, string> Headers, string Body, X509Certificate2? ServerCertificate)
{
    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;

    public string? Location => Header("Location");

    /// <summary>The name of the <see cref="TestBackend"/> that answered, or null when nginx answered itself.</summary>
    public string? Backend => Header(TestBackend.NameHeader);

    /// <summary>What the backend received; fails with the status and body when a backend did not answer.</summary>
    public BackendEcho Echo
    {
        get
        {
            if (Backend is null)
            {
                throw new InvalidOperationException($"no backend answered: {this}");
            }

            try
            {
                return BackendEcho.Parse(Body);
            }
            catch (JsonException e)
            {
                throw new InvalidOperationException($"backend answer is not an echo ({e.Message}): {this}", e);
            }
        }
    }

    public override string ToString()
    {
        string headers = string.Join(", ", Headers.Select(h => $"{h.Key}: {h.Value}"));
        string body = Body.Length > 500 ? Body[..500] + "..." : Body;
        return $"{StatusCode} [{headers}] {body}";
    }
}
