using Portico.TestSupport;
namespace Portico.Envoy.Tests.Support;

/// <summary>Runs code that waits on a <see cref="ManualTimeProvider"/> to completion, advancing the clock only while it waits.</summary>
internal static class ClockDriver
{
    /// <summary>Longest real time the code under test may take between two waits on the clock.</summary>
    public static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Each time <paramref name="task"/> waits on the clock, calls <paramref name="beforeStep"/> (with the step number)
    /// and moves the clock by <paramref name="step"/>; returns the result once the task completes. Fails when the task
    /// neither completes nor waits within <see cref="StepTimeout"/>, or after <paramref name="maxSteps"/> steps.
    /// </summary>
    public static async Task<T> RunAsync<T>(this ManualTimeProvider clock, Task<T> task, TimeSpan step, Action<int>? beforeStep = null, int maxSteps = 10_000)
    {
        for (int number = 0; number < maxSteps; number++)
        {
            var waiting = clock.WaitForTimersAsync(1, StepTimeout);
            _ = waiting.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            await Task.WhenAny(task, waiting);
            if (task.IsCompleted)
            {
                return await task;
            }

            await waiting;
            beforeStep?.Invoke(number);
            clock.Advance(step);
        }

        throw new AssertionException($"the code under test still waits after {maxSteps} steps of {step}");
    }
}
