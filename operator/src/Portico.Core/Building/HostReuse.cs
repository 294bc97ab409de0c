using Portico.Core.Model;

namespace Portico.Core.Building;

/// <summary>
/// A new model with each virtual host that equals the previous model's host of the same name replaced by that
/// previous instance. Values do not change; what changes is that an unchanged host keeps one object from build to
/// build: the renderer's memo finds it by reference (no deep hash of 10,000 hosts per change), and the new copies die
/// young instead of replacing the old ones in the oldest generation (issue 13).
/// </summary>
public static class HostReuse
{
    public static ProxyModel Reusing(this ProxyModel next, ProxyModel? previous)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (previous is null || previous.VirtualHosts.IsEmpty)
        {
            return next;
        }

        var before = new Dictionary<HostPattern, VirtualHost>(previous.VirtualHosts.Length);
        foreach (var host in previous.VirtualHosts)
        {
            before[host.Host] = host;
        }

        var hosts = new VirtualHost[next.VirtualHosts.Length];
        int reused = 0;
        for (int i = 0; i < hosts.Length; i++)
        {
            var host = next.VirtualHosts[i];
            if (before.TryGetValue(host.Host, out var old) && old.Equals(host))
            {
                host = old;
                reused++;
            }

            hosts[i] = host;
        }

        return reused == 0 ? next : next with { VirtualHosts = [.. hosts] };
    }
}
