using Portico.Core.Model;
using Portico.Core.Model.Policies;
using k8s.Models;

namespace Portico.Core.Building.Policies;

/// <summary>
/// Turns a policy's trafficSplit into the route's action. The split replaces the Ingress path's own backend entirely
/// (as Gateway API backendRefs with weights): every listed Service of the Ingress's namespace is resolved like an
/// Ingress backend, so each becomes an upstream of the model. Weight 0 is dropped; a Service without ready endpoints
/// keeps its share and answers 503 for it; a Service that cannot be resolved (missing, no such port, ExternalName)
/// is dropped with a warning, so its share goes to the others.
/// </summary>
internal static class TrafficSplitResolver
{
    public static RouteAction Resolve(BackendResolver backends, string ns, EquatableArray<WeightedBackend> split, ObjectRef owner, string field)
    {
        var weighted = new List<WeightedUpstream>();
        for (int i = 0; i < split.Length; i++)
        {
            var entry = split[i];
            if (entry.Weight == 0)
            {
                continue;
            }

            var backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = entry.Service.Name, Port = new V1ServiceBackendPort { Number = entry.Service.Port } } };
            switch (backends.Resolve(ns, backend, owner, $"{field}[{i}]"))
            {
                case ForwardAction forward:
                    weighted.Add(new WeightedUpstream(forward.UpstreamName, entry.Weight));
                    break;
                case RespondAction { Backend: { } upstream }:
                    weighted.Add(new WeightedUpstream(upstream, entry.Weight));
                    break;
                case ExternalNameAction:
                    backends.Warn(owner, $"{field}[{i}].service", $"{entry.Service.Name} is an ExternalName Service, which a traffic split cannot name; its share goes to the other backends");
                    break;
                default:
                    // The resolver warned already (Service or port missing).
                    break;
            }
        }

        if (weighted.Count == 0)
        {
            return new RespondAction(503, "no backend of the traffic split can be resolved");
        }

        // One backend is a plain forward (or its 503): the same route a single backend gives.
        if (weighted.Count == 1)
        {
            return backends.ActionFor(weighted[0].UpstreamName);
        }

        return new SplitAction([.. weighted]);
    }
}
