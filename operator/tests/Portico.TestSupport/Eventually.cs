using System.Diagnostics;

namespace Portico.TestSupport;

/// <summary>
/// Bounded waiting for an outcome another process brings about (nginx's old workers finish accepting after a
/// reload is confirmed; an operator applies a change). Polls <c>probe</c> until <c>done</c> holds, then returns the last
/// value; after <c>timeout</c> returns the last value anyway, so the caller's assertion shows what was seen.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(25);

    public static async Task<T> ValueAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            T value = await probe();
            if (done(value) || clock.Elapsed > (timeout ?? DefaultTimeout))
            {
                return value;
            }

            await Task.Delay(Interval, cancellationToken);
        }
    }

    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        await ValueAsync(() => Task.FromResult(condition()), v => v, timeout, cancellationToken);
}
