using System.Diagnostics;

namespace Portico.Core.Applying;

/// <summary>Runs a short-lived command (nginx -t, a reload command) with a time limit, capturing its output.</summary>
public static class ProcessRunner
{
    public sealed record Result(int ExitCode, string Output);

    /// <summary>Runs <paramref name="command"/> (argv, no shell). Throws <see cref="TimeoutException"/> after <paramref name="timeout"/> (the process is killed).</summary>
    public static async Task<Result> RunAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Count == 0)
        {
            throw new ArgumentException("empty command", nameof(command));
        }

        var start = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (string argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command[0]} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{string.Join(' ', command)} did not finish within {timeout.TotalSeconds:0.#} s");
        }

        return new Result(process.ExitCode, ((await stdout) + (await stderr)).Trim());
    }
}
