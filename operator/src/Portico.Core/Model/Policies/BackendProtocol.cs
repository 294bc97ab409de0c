namespace Portico.Core.Model.Policies;

/// <summary>How the proxy talks to the backend (ingress-nginx's backend-protocol); HTTP/1.1 unless set.</summary>
public enum BackendProtocol
{
    Http,
    Https,
    Grpc,
    Grpcs,
}
