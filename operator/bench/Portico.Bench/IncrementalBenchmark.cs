using System.Diagnostics;
using Portico.TestSupport;

namespace Portico.Bench;

/// <summary>
/// The incremental-rendering property check (IncrementalRenderCheck) over more seeds and steps than CI runs, with Lua
/// endpoints on and off: exit 0 when every step of every seed gave a fresh renderer's bytes, 1 at the first difference.
/// </summary>
internal static class IncrementalBenchmark
{
    public static int Run(int seeds, int steps)
    {
        var clock = Stopwatch.StartNew();
        int changed = 0, reused = 0, planned = 0;
        for (int seed = 1; seed <= seeds; seed++)
        {
            foreach (bool lua in new[] { true, false })
            {
                try
                {
                    var outcome = IncrementalRenderCheck.Run(seed, lua, steps);
                    changed += outcome.Changed;
                    reused += outcome.Reused;
                    planned += outcome.Planned;
                }
                catch (InvalidOperationException e)
                {
                    Console.WriteLine($"DIFFERENCE: {e.Message}");
                    return 1;
                }
            }
        }

        Console.WriteLine($"{seeds} seeds x {steps} steps x Lua endpoints on and off: every step's model equal to a full build ({reused} Ingress plans used again, {planned} made) and its bytes to a fresh renderer's ({changed} steps changed the output) in {clock.Elapsed.TotalSeconds:F0} s");
        return 0;
    }
}
