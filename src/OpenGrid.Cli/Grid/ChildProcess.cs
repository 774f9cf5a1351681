using System.Diagnostics;

namespace OpenGrid.Cli.Grid;

/// <summary>
/// A process og started and owns: its stdout and stderr go to a log file, and it is stopped by pid — SIGTERM, a
/// grace period, then SIGKILL to the whole process tree — and waited for.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();
    private readonly Task<int> _exited;

    private ChildProcess(string name, Process process, StreamWriter log, string logPath)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
        Pid = process.Id;
        _exited = WaitForExitAsync();
    }

    public string Name { get; }
    public int Pid { get; }
    public string LogPath { get; }

    /// <summary>Completes with the exit code once the process has exited and its output is in the log.</summary>
    public Task<int> Exited => _exited;

    public static ChildProcess Start(
        string name, string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment,
        string workingDirectory, string logPath)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment)
            info.Environment[key] = value;

        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(new FileStream(logPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        try
        {
            process.Start();
        }
        catch
        {
            log.Dispose();
            process.Dispose();
            throw;
        }
        var child = new ChildProcess(name, process, log, logPath);
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        return child;
    }

    /// <summary>The last <paramref name="count"/> lines of the log file.</summary>
    public IReadOnlyList<string> TailLog(int count)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var lines = new Queue<string>();
            while (reader.ReadLine() is { } line)
            {
                lines.Enqueue(line);
                if (lines.Count > count)
                    lines.Dequeue();
            }
            return [.. lines];
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>
    /// Stops the process: SIGTERM so it can shut down cleanly, then after <paramref name="grace"/> SIGKILL to it and
    /// every descendant. Returns once it has exited.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!_exited.IsCompleted)
        {
            ProcessSignals.Terminate(Pid);
            using var wait = new CancellationTokenSource(grace);
            try
            {
                await _exited.WaitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                KillTree();
            }
        }
        await _exited;
    }

    private void KillTree()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_logLock)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // Output after the log was closed is dropped.
            }
        }
    }

    private async Task<int> WaitForExitAsync()
    {
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _process.Exited += (_, _) => exited.TrySetResult();
        if (_process.HasExited)
            exited.TrySetResult();
        await exited.Task;
        // Give the output readers a moment to reach EOF so the log is complete; a grandchild that inherited the
        // pipes must not keep us waiting forever.
        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _process.WaitForExitAsync(drain.Token);
        }
        catch (OperationCanceledException)
        {
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        lock (_logLock)
            _log.Dispose();
        _process.Dispose();
    }
}
