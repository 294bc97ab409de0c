using System.Diagnostics;
using System.Text;
using Portico.Core.Applying;
using Portico.Core.Output;
using Portico.Core.Rendering;

namespace Portico.TestSupport.Nginx;

/// <summary>
/// A real nginx serving a rendered config from its own temporary directory, unprivileged, in the foreground
/// (<c>nginx -p DIR -c nginx.conf -e stderr -g "daemon off;"</c>). <see cref="StartAsync"/> returns once the
/// config's loopback status endpoint answers the config's own hash, so the config in the directory is the one
/// serving. Dispose kills nginx (master and workers) and deletes the directory.
/// </summary>
public sealed class NginxProcess : IDisposable
{
    /// <summary>How long nginx may take to serve its config hash after being started.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long <c>nginx -t</c> may take (10k hosts take about 5 s on this machine class).</summary>
    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private static readonly Lazy<string> BinaryPath = new(FindBinary);

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Lock _stderrLock = new();
    private bool _disposed;

    private NginxProcess(string directory, string configHash, string? liveHash, int statusPort)
    {
        Directory = directory;
        ConfigHash = configHash;
        LiveHash = liveHash;
        StatusPort = statusPort;
        var start = new ProcessStartInfo(Binary)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = false,
            WorkingDirectory = directory,
        };
        // As root, nginx's workers would run as nobody and could not read the private files of the 0700 directory
        // (htpasswd files are read by workers at request time): same user as the master, as `portico local` does.
        string globals = Environment.UserName == "root" ? "daemon off; user root;" : "daemon off;";
        foreach (string argument in PrefixArguments(directory).Append("-g").Append(globals))
        {
            start.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = start };
        _process.ErrorDataReceived += (_, e) => AppendOutput(e.Data);
        _process.OutputDataReceived += (_, e) => AppendOutput(e.Data);
    }

    /// <summary>The nginx binary: the first "nginx" on PATH, else /usr/sbin/nginx.</summary>
    public static string Binary => BinaryPath.Value;

    /// <summary>The prefix directory: the rendered files, plus what nginx creates there (pid file, temp paths).</summary>
    public string Directory { get; }

    public string ConfigHash { get; private set; }

    /// <summary>The endpoints version the workers must report loaded (null: not waited for).</summary>
    public string? LiveHash { get; private set; }

    public int StatusPort { get; }

    /// <summary>Everything nginx wrote to stderr and stdout so far (error log at level notice, access log if enabled).</summary>
    public string Stderr
    {
        get
        {
            lock (_stderrLock)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Writes <paramref name="config"/> into a new temporary directory, starts nginx on it and waits (at most
    /// <see cref="StartTimeout"/>) until 127.0.0.1:<paramref name="statusPort"/>/portico/config-hash answers the
    /// config's hash. Throws <see cref="NginxStartException"/> (with nginx's stderr) if nginx exits or does not answer.
    /// </summary>
    public static async Task<NginxProcess> StartAsync(RenderedConfig config, int statusPort, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        string directory = CreateTemporaryDirectory();
        NginxProcess? nginx = null;
        try
        {
            OutputDirectory.Write(directory, config);
            nginx = new NginxProcess(directory, config.Hash, config.LiveHash, statusPort);
            nginx.Start();
            await nginx.WaitUntilServingAsync(cancellationToken);
            return nginx;
        }
        catch
        {
            if (nginx is not null)
            {
                nginx.Dispose();
            }
            else
            {
                DeleteDirectory(directory);
            }

            throw;
        }
    }

    /// <summary>
    /// Replaces the files with <paramref name="config"/>'s, tells the master to reload (SIGHUP) and waits (at most
    /// <see cref="StartTimeout"/>) until the status endpoint answers the new hash: the new configuration is serving.
    /// </summary>
    public async Task ReloadAsync(RenderedConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        OutputDirectory.Write(Directory, config);
        ConfigHash = config.Hash;
        LiveHash = config.LiveHash;
        if (!PosixSignals.TrySend(_process.Id, PosixSignals.Hangup, out int errno))
        {
            throw new InvalidOperationException($"cannot signal nginx {_process.Id} to reload (errno {errno})");
        }

        await WaitUntilServingAsync(cancellationToken);
    }

    /// <summary>Runs <c>nginx -t</c> on the nginx.conf in <paramref name="directory"/> (nginx creates its temp paths there).</summary>
    public static NginxTestResult Test(string directory)
    {
        var start = new ProcessStartInfo(Binary)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = directory,
        };
        start.ArgumentList.Add("-t");
        foreach (string argument in PrefixArguments(directory))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("nginx -t did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TestTimeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(StopTimeout);
            throw new TimeoutException($"nginx -t on {directory} did not finish within {TestTimeout.TotalSeconds} s");
        }

        // The process has exited, so both streams reach their end; still, never wait without a bound.
        if (!Task.WaitAll([stdout, stderr], StopTimeout))
        {
            throw new TimeoutException($"nginx -t on {directory} exited but its output did not end");
        }

        return new NginxTestResult(process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Writes <paramref name="config"/> into a temporary directory, runs <c>nginx -t</c> on it, and deletes the directory.</summary>
    public static NginxTestResult Test(RenderedConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string directory = CreateTemporaryDirectory();
        try
        {
            OutputDirectory.Write(directory, config);
            return Test(directory);
        }
        finally
        {
            DeleteDirectory(directory);
        }
    }

    /// <summary>
    /// A new, uniquely named directory under the system temp directory, readable by all (0755): nginx started as root
    /// runs its workers as "nobody", and the workers read the endpoints file themselves, as in the pod.
    /// </summary>
    public static string CreateTemporaryDirectory()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("portico-nginx-");
        File.SetUnixFileMode(directory.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return directory.FullName;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            // SIGQUIT: the master stops its workers, reaps them and exits. If that does not happen in time, kill
            // master and workers outright.
            if (!_process.HasExited && (!PosixSignals.TrySend(_process.Id, PosixSignals.Quit, out _) || !_process.WaitForExit(StopTimeout)))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(StopTimeout);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started: nothing to stop.
        }
        finally
        {
            _process.Dispose();
            DeleteDirectory(Directory);
        }
    }

    public override string ToString() => $"nginx in {Directory} (status 127.0.0.1:{StatusPort}, config {ConfigHash[..12]})";

    private static IEnumerable<string> PrefixArguments(string directory) =>
        ["-p", directory.EndsWith('/') ? directory : directory + "/", "-c", "nginx.conf", "-e", "stderr"];

    private void Start()
    {
        _process.Start();
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    private async Task WaitUntilServingAsync(CancellationToken cancellationToken)
    {
        await WaitUntilAnswersAsync(new Uri($"http://127.0.0.1:{StatusPort}/portico/config-hash"), ConfigHash, cancellationToken);
        if (LiveHash is not null)
        {
            await WaitUntilAnswersAsync(new Uri($"http://127.0.0.1:{StatusPort}/portico/endpoints-hash"), LiveHash, cancellationToken);
        }
    }

    private async Task WaitUntilAnswersAsync(Uri url, string expected, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(1) })
        {
            Timeout = TimeSpan.FromSeconds(2),
        };
        var clock = Stopwatch.StartNew();
        string last = "no answer yet";
        while (true)
        {
            if (_process.HasExited)
            {
                await DrainOutputAsync();
                throw new NginxStartException($"nginx exited with code {_process.ExitCode} before serving config {ConfigHash} (directory {Directory})", Stderr);
            }

            try
            {
                using var response = await http.GetAsync(url, cancellationToken);
                string body = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode && body == expected)
                {
                    return;
                }

                last = $"answered {(int)response.StatusCode} \"{body}\"";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = "request timed out";
            }

            if (clock.Elapsed > StartTimeout)
            {
                throw new NginxStartException($"nginx did not answer {expected} on {url} within {StartTimeout.TotalSeconds} s; last: {last}", Stderr);
            }

            // Polling an external process's readiness endpoint; wake early if nginx exits meanwhile.
            await Task.WhenAny(Task.Delay(PollInterval, cancellationToken), _process.WaitForExitAsync(cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>After nginx exited: wait (bounded) until its redirected output has been read to the end.</summary>
    private async Task DrainOutputAsync()
    {
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Output still held open (by an orphaned worker): report what was read.
        }
    }

    private void AppendOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stderrLock)
        {
            _stderr.AppendLine(line);
        }
    }

    private static string FindBinary() =>
        ExecutableLookup.Find("nginx", "/usr/sbin") ?? throw new FileNotFoundException("nginx not found on PATH nor at /usr/sbin/nginx");

    private static void DeleteDirectory(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
    }
}
