using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;
using Portico.TestApiServer.Tests.Support;

namespace Portico.TestApiServer.Tests;

/// <summary>The client's own leader election (LeaseLock on coordination.k8s.io/v1 Leases) works against the server.</summary>
public sealed class LeaderElectionTests : ApiServerTest
{
    private const string Namespace = "portico-system";
    private const string LeaseName = "portico-leader";

    [Test]
    public async Task An_elector_acquires_the_lease_and_keeps_renewing_it()
    {
        await using var a = Elector("replica-a");

        await a.Leading.WaitAsync(Timeout);
        var acquired = Server.Get<V1Lease>(Namespace, LeaseName)!;
        var renewed = await Server.WaitForObjectAsync<V1Lease>(
            Namespace, LeaseName, l => l.Metadata.ResourceVersion != acquired.Metadata.ResourceVersion, Timeout);

        Assert.Multiple(() =>
        {
            Assert.That(acquired.Spec.HolderIdentity, Is.EqualTo("replica-a"));
            Assert.That(renewed.Spec.HolderIdentity, Is.EqualTo("replica-a"));
            Assert.That(renewed.Spec.RenewTime, Is.GreaterThanOrEqualTo(acquired.Spec.RenewTime!.Value));
            Assert.That(Server.Requests.Where(r => r.Resource == "leases").Select(r => r.Verb), Does.Contain(ApiVerbs.Create).And.Contain(ApiVerbs.Update));
        });
    }

    [Test]
    public async Task A_second_elector_sees_the_leader_and_takes_over_when_it_stops_renewing()
    {
        await using var a = Elector("replica-a");
        await a.Leading.WaitAsync(Timeout);
        await using var b = Elector("replica-b");

        var observed = await b.NewLeader.WaitAsync(Timeout);
        Assert.That(b.Leading.IsCompleted, Is.False, "the lease is held");
        await a.DisposeAsync();
        await b.Leading.WaitAsync(Timeout);
        var lease = Server.Get<V1Lease>(Namespace, LeaseName)!;

        Assert.Multiple(() =>
        {
            Assert.That(observed, Is.EqualTo("replica-a"));
            Assert.That(lease.Spec.HolderIdentity, Is.EqualTo("replica-b"));
            Assert.That(lease.Spec.LeaseTransitions, Is.EqualTo(1));
        });
    }

    private RunningElector Elector(string identity) => new(new LeaseLock(Client, Namespace, LeaseName, identity));

    /// <summary>A LeaderElector running until disposed, with its callbacks turned into tasks.</summary>
    private sealed class RunningElector : IAsyncDisposable
    {
        private readonly TaskCompletionSource leading = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<string> newLeader = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource stop = new();
        private readonly LeaderElector elector;
        private readonly Task run;
        private bool disposed;

        public RunningElector(LeaseLock leaseLock)
        {
            // Short durations keep the take-over test quick; the protocol is the same as with the defaults.
            elector = new LeaderElector(new LeaderElectionConfig(leaseLock)
            {
                LeaseDuration = TimeSpan.FromSeconds(1),
                RenewDeadline = TimeSpan.FromMilliseconds(500),
                RetryPeriod = TimeSpan.FromMilliseconds(100),
            });
            elector.OnStartedLeading += () => leading.TrySetResult();
            elector.OnNewLeader += leader => newLeader.TrySetResult(leader);
            run = elector.RunAndTryToHoldLeadershipForeverAsync(stop.Token);
        }

        public Task Leading => leading.Task;

        public Task<string> NewLeader => newLeader.Task;

        public async ValueTask DisposeAsync()
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            await stop.CancelAsync();
            try
            {
                await run.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (OperationCanceledException)
            {
                // Stopping is cancellation.
            }

            elector.Dispose();
            stop.Dispose();
        }
    }
}
