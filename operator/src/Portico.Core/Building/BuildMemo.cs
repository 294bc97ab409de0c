using Portico.Core.Kubernetes;

namespace Portico.Core.Building;

/// <summary>
/// What a build worked out per Ingress (<see cref="IngressPlan"/>), for the next build to use again where the inputs
/// did not change (ADR 0020). Never changed once made: a build that is thrown away leaves the memo it started from intact.
/// </summary>
public sealed class BuildMemo
{
    internal BuildMemo(BuildOptions options, IReadOnlyDictionary<NamespacedName, IngressPlan> plans, int reused)
    {
        Options = options;
        Plans = plans;
        Reused = reused;
    }

    /// <summary>The options every plan was made with: a build with other options makes every plan again.</summary>
    internal BuildOptions Options { get; }

    internal IReadOnlyDictionary<NamespacedName, IngressPlan> Plans { get; }

    /// <summary>How many Ingresses of the build that made this memo used an earlier plan.</summary>
    public int Reused { get; }

    /// <summary>How many Ingresses of that build were planned afresh.</summary>
    public int Planned => Plans.Count - Reused;
}
