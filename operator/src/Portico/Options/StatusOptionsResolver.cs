using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Values;
using Portico.Leadership;
using Portico.Status;

namespace Portico.Options;

/// <summary>Parses the status: and leaderElection: sections; every problem is added to the caller's list, each by key.</summary>
internal static class StatusOptionsResolver
{
    /// <summary>client-go's rule: the leader must give up (renew deadline) well before followers may take over (lease duration).</summary>
    private const double JitterFactor = 1.2;

    public static (IngressStatusOptions Status, LeaderElectionOptions LeaderElection) Resolve(PorticoOptions options, List<string> problems)
    {
        return (ResolveStatus(options.Status, problems), ResolveLeaderElection(options.LeaderElection, problems));
    }

    private static IngressStatusOptions ResolveStatus(PorticoOptions.StatusSection section, List<string> problems)
    {
        NamespacedName? publishService = null;
        if (section.PublishService.Length > 0)
        {
            string[] parts = section.PublishService.Split('/');
            if (parts.Length == 2 && DnsGrammar.IsLabel(parts[0]) && DnsGrammar.IsServiceName(parts[1]))
            {
                publishService = new NamespacedName(parts[0], parts[1]);
            }
            else
            {
                problems.Add($"status:publishService: \"{section.PublishService}\" is not NAMESPACE/NAME of a Service");
            }
        }

        var addresses = new SortedSet<PublishedAddress>();
        for (int i = 0; i < section.Addresses.Count; i++)
        {
            if (PublishedAddress.TryParse(section.Addresses[i], out var address))
            {
                addresses.Add(address!);
            }
            else
            {
                problems.Add($"status:addresses:{i}: \"{section.Addresses[i]}\" is not an IP address or a DNS host name");
            }
        }

        if (publishService is not null && addresses.Count > 0)
        {
            problems.Add("status: set publishService or addresses, not both");
        }

        var resync = Duration(problems, "status:resyncPeriod", section.ResyncPeriod, TimeSpan.FromSeconds(60));
        if (resync < TimeSpan.FromSeconds(1))
        {
            problems.Add("status:resyncPeriod: must be at least 1s");
        }

        return new IngressStatusOptions { PublishService = publishService, Addresses = [.. addresses], ResyncPeriod = resync };
    }

    private static LeaderElectionOptions ResolveLeaderElection(PorticoOptions.LeaderElectionSection section, List<string> problems)
    {
        if (!DnsGrammar.IsSubdomain(section.LeaseName))
        {
            problems.Add($"leaderElection:leaseName: \"{section.LeaseName}\" is not a valid Lease name");
        }

        if (section.LeaseNamespace.Length > 0 && !DnsGrammar.IsLabel(section.LeaseNamespace))
        {
            problems.Add($"leaderElection:leaseNamespace: \"{section.LeaseNamespace}\" is not a valid namespace");
        }

        var lease = Duration(problems, "leaderElection:leaseDuration", section.LeaseDuration, TimeSpan.FromSeconds(15));
        var renew = Duration(problems, "leaderElection:renewDeadline", section.RenewDeadline, TimeSpan.FromSeconds(10));
        var retry = Duration(problems, "leaderElection:retryPeriod", section.RetryPeriod, TimeSpan.FromSeconds(2));

        // The Lease stores whole seconds; the elector's timing only holds when each step fits inside the next.
        if (lease < TimeSpan.FromSeconds(1) || retry <= TimeSpan.Zero || lease <= renew || renew <= retry * JitterFactor)
        {
            problems.Add("leaderElection: needs leaseDuration >= 1s, leaseDuration > renewDeadline > 1.2 x retryPeriod > 0");
        }

        return new LeaderElectionOptions
        {
            Enabled = section.Enabled,
            LeaseName = section.LeaseName,
            LeaseNamespace = section.LeaseNamespace.Length > 0 ? section.LeaseNamespace : null,
            LeaseDuration = lease,
            RenewDeadline = renew,
            RetryPeriod = retry,
        };
    }

    private static TimeSpan Duration(List<string> problems, string key, string text, TimeSpan fallback)
    {
        if (DurationValue.TryParse(text, out var value))
        {
            return value;
        }

        problems.Add($"{key}: \"{text}\" is not a duration such as 250ms, 5s, 2m or 1h");
        return fallback;
    }
}
