using System.Security.Cryptography;
using System.Text;
using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Model;
using Portico.Core.Values;
using k8s.Models;

namespace Portico.Status;

/// <summary>
/// Turns a diagnostic into a core/v1 Event about the object it names. The Event's name is derived from the
/// diagnostic alone (object name, then a hash of kind, namespace, name, field, message and severity), so every
/// replica and every term names the same finding the same way: a new leader finds its predecessor's Event (409 on
/// create) and bumps it instead of adding a duplicate.
/// </summary>
internal static class DiagnosticEvents
{
    public const string Component = "portico";
    public const string RejectedReason = "Rejected";
    public const string WarningReason = "Warning";

    /// <summary>events.k8s.io/v1 bounds a note to 1 kB; core/v1 Events from Portico keep to the same.</summary>
    public const int MaxMessageLength = 1024;

    /// <summary>The API server's limit on reportingInstance.</summary>
    public const int MaxInstanceLength = 128;

    private const int HashLength = 16;

    /// <summary>Cluster-scoped objects (IngressClass) get their Events in "default", as kubectl and client-go do.</summary>
    public static string NamespaceFor(ObjectRef target) => target.Namespace.Length > 0 ? target.Namespace : "default";

    /// <summary>Whether an Event can be written for this target at all (its namespace must be a valid one).</summary>
    public static bool CanRecord(ObjectRef target) => target.Namespace.Length == 0 || DnsGrammar.IsLabel(target.Namespace);

    public static string NameFor(Diagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        var target = diagnostic.Target;
        string identity = string.Join('\0', target.Kind, target.Namespace, target.Name, diagnostic.Field, diagnostic.Message, diagnostic.Severity.ToString());
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..HashLength];

        // The object's name first, as Kubernetes names Events, cut so that name.hash stays a valid subdomain.
        string prefix = target.Name.Length > DnsGrammar.MaxSubdomainLength - HashLength - 1
            ? target.Name[..(DnsGrammar.MaxSubdomainLength - HashLength - 1)].TrimEnd('.', '-')
            : target.Name;
        return DnsGrammar.IsSubdomain(prefix) ? $"{prefix}.{hash}" : $"{Component}.{hash}";
    }

    public static string ReasonFor(Diagnostic diagnostic) =>
        diagnostic.Severity == Severity.Error ? RejectedReason : WarningReason;

    public static string MessageFor(Diagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        string message = $"{diagnostic.Field}: {diagnostic.Message}";
        if (message.Length <= MaxMessageLength)
        {
            return message;
        }

        // Never cut a surrogate pair in half: the API server would store an invalid string.
        int cut = MaxMessageLength - 3;
        if (char.IsHighSurrogate(message[cut - 1]))
        {
            cut--;
        }

        return string.Concat(message.AsSpan(0, cut), "...");
    }

    /// <summary>The apiVersion of a kind diagnostics name, for involvedObject (null for a kind Portico does not know).</summary>
    public static string? ApiVersionOf(string kind) => kind switch
    {
        KnownKinds.Ingress or KnownKinds.IngressClass => "networking.k8s.io/v1",
        KnownKinds.Service or KnownKinds.Secret => "v1",
        KnownKinds.EndpointSlice => "discovery.k8s.io/v1",
        _ => null,
    };

    /// <param name="apiVersion">For involvedObject, when the kind is not one <see cref="ApiVersionOf"/> knows (a kind with a status resource).</param>
    public static Corev1Event Create(Diagnostic diagnostic, string? uid, DateTime now, string reportingInstance, string? apiVersion = null)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        ArgumentNullException.ThrowIfNull(reportingInstance);
        var target = diagnostic.Target;
        return new Corev1Event
        {
            ApiVersion = "v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta { Name = NameFor(diagnostic), NamespaceProperty = NamespaceFor(target) },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = ApiVersionOf(target.Kind) ?? apiVersion,
                Kind = target.Kind,
                NamespaceProperty = target.Namespace.Length > 0 ? target.Namespace : null,
                Name = target.Name,
                Uid = uid,
            },
            Reason = ReasonFor(diagnostic),
            Message = MessageFor(diagnostic),
            Type = "Warning",
            Source = new V1EventSource { Component = Component },
            ReportingComponent = Component,
            ReportingInstance = reportingInstance.Length > MaxInstanceLength ? reportingInstance[..MaxInstanceLength] : reportingInstance,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
    }
}
