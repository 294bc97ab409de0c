using System.Collections.Immutable;
using System.Text;
using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.Core.Model;

namespace Portico.Core.Building;

/// <summary>
/// Computes the status every object should have, as data, from the snapshot and the build's outcome (Contour's
/// StatusCache is the pattern: the pure build decides, one leader-only writer applies). Pure and deterministic: the
/// result is sorted by object.
/// <list type="bullet">
/// <item>Ingresses: served ones get their addresses published; one that names our class (spec.ingressClassName, else
/// the legacy annotation) but is not served gets them withdrawn; any other Ingress gets no status at all (another
/// class's, or one without class that is not provably ours), nor does any Ingress while our class name belongs to
/// another controller.</item>
/// <item>Kinds with conditions (<see cref="StatusSubject"/>): the subject's own conditions plus Accepted, which is
/// False (reason Invalid) when the build found an error on the object, else the subject's own Accepted, else True;
/// every condition carries the generation the object was read at as observedGeneration.</item>
/// </list>
/// </summary>
public static class DesiredStatusBuilder
{
    public const string Accepted = "Accepted";
    public const string InvalidReason = "Invalid";

    /// <summary>metav1.Condition's bound on message.</summary>
    public const int MaxMessageLength = 32768;

    public static ImmutableArray<ObjectStatus> Build(
        ClusterSnapshot snapshot,
        BuildOptions options,
        IEnumerable<ObjectRef> servedIngresses,
        IEnumerable<Diagnostic> diagnostics,
        IEnumerable<StatusSubject>? subjects = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(servedIngresses);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var statuses = new List<ObjectStatus>();
        AddIngresses(statuses, snapshot, options, servedIngresses.ToHashSet());
        if (subjects is not null)
        {
            var byTarget = diagnostics.ToLookup(d => d.Target);
            statuses.AddRange(subjects.Select(subject => ForSubject(subject, byTarget[subject.Target])));
        }

        return [.. statuses.Order()];
    }

    private static void AddIngresses(List<ObjectStatus> statuses, ClusterSnapshot snapshot, BuildOptions options, HashSet<ObjectRef> served)
    {
        // As IngressClassSelector decides: while our class name belongs to another controller, nothing of it is ours.
        bool classTaken = snapshot.IngressClasses.TryGetValue(new NamespacedName(string.Empty, options.IngressClassName), out var ownClass)
            && ownClass.Spec?.Controller != options.ControllerName;
        foreach (var ingress in snapshot.Ingresses.Values)
        {
            var self = new ObjectRef(KnownKinds.Ingress, ingress.Metadata.NamespaceProperty ?? "default", ingress.Metadata.Name);
            var publication = served.Contains(self) ? AddressPublication.Publish
                : !classTaken && NamesClass(ingress, options.IngressClassName) ? AddressPublication.Withdraw
                : AddressPublication.None;
            if (publication != AddressPublication.None)
            {
                statuses.Add(new ObjectStatus(self, StatusResources.Ingresses, ingress.Metadata.Generation, publication, []));
            }
        }
    }

    /// <summary>What the Ingress itself says: spec.ingressClassName, else the legacy annotation.</summary>
    private static bool NamesClass(V1Ingress ingress, string className)
    {
        string? named = ingress.Spec?.IngressClassName;
        if (named is null && ingress.Metadata.Annotations?.TryGetValue(IngressClassSelector.LegacyClassAnnotation, out string? legacy) == true)
        {
            named = legacy;
        }

        return named == className;
    }

    private static ObjectStatus ForSubject(StatusSubject subject, IEnumerable<Diagnostic> diagnostics)
    {
        var found = diagnostics.Order().ToList();
        var errors = found.Where(d => d.Severity == Severity.Error).ToList();
        var conditions = (subject.Conditions.IsDefault ? [] : subject.Conditions).ToDictionary(c => c.Type, StringComparer.Ordinal);
        if (errors.Count > 0)
        {
            conditions[Accepted] = new StatusCondition(Accepted, ConditionStatus.False, InvalidReason, Summary(errors), null);
        }
        else if (!conditions.ContainsKey(Accepted))
        {
            string message = found.Count == 0 ? "Accepted" : "Accepted with warnings: " + Summary(found);
            conditions[Accepted] = new StatusCondition(Accepted, ConditionStatus.True, Accepted, Bounded(message), null);
        }

        var stamped = conditions.Values
            .Select(c => c with { ObservedGeneration = subject.Generation })
            .OrderBy(c => c.Type, StringComparer.Ordinal)
            .ToImmutableArray();
        return new ObjectStatus(subject.Target, subject.Resource, subject.Generation, AddressPublication.None, stamped);
    }

    /// <summary>"field: message" of each diagnostic, in order, joined by "; ", within metav1's bound.</summary>
    private static string Summary(IEnumerable<Diagnostic> diagnostics) =>
        Bounded(string.Join("; ", diagnostics.Select(d => $"{d.Field}: {d.Message}")));

    private static string Bounded(string message)
    {
        if (message.Length <= MaxMessageLength)
        {
            return message;
        }

        // Never cut a surrogate pair in half: the API server would refuse the string.
        int cut = MaxMessageLength - 3;
        if (char.IsHighSurrogate(message[cut - 1]))
        {
            cut--;
        }

        return new StringBuilder(message, 0, cut, cut + 3).Append("...").ToString();
    }
}
