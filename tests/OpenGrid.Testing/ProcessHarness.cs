using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace OpenGrid.Testing;

/// <summary>
/// A real child process for end-to-end tests: output captured line by line, awaitable exit, and the whole process
/// tree killed by pid on dispose.
/// </summary>
public sealed class TestProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly object _gate = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> _waiters = [];

    private TestProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public string Stdout
    {
        get
        {
            lock (_gate)
                return _stdout.ToString();
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
                return _stderr.ToString();
        }
    }

    public string Name { get; private init; } = "";

    /// <summary>Starts <c>dotnet DLL args…</c> with extra environment variables.</summary>
    public static TestProcess StartDotnet(string name, string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? TestPaths.RepoRoot,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["NO_COLOR"] = "1";
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
            psi.Environment[k] = v;
        TerminalSignals.EnsureDefault();
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var harness = new TestProcess(process) { Name = name };
        process.OutputDataReceived += (_, e) => harness.OnLine(e.Data, harness._stdout);
        process.ErrorDataReceived += (_, e) => harness.OnLine(e.Data, harness._stderr);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return harness;
    }

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} (pid {Pid}) did not exit within {timeout.TotalSeconds}s; stdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
        return _process.ExitCode;
    }

    /// <summary>Waits for a line (stdout or stderr) matching <paramref name="match"/>; returns it.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var tcs = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var existing = (_stdout + "\n" + _stderr).Split('\n').FirstOrDefault(match);
            if (existing is not null)
                return Task.FromResult(existing);
            _waiters.Add((match, tcs));
        }
        return WaitAsync();

        async Task<string> WaitAsync()
        {
            var exited = _process.WaitForExitAsync();
            var done = await Task.WhenAny(tcs.Task, exited, Task.Delay(timeout));
            if (done == tcs.Task)
                return await tcs.Task;
            var why = done == exited ? $"it exited with {_process.ExitCode}" : $"{timeout.TotalSeconds}s passed";
            throw new TimeoutException($"{Name} (pid {Pid}) never printed {what} ({why}); stdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
    }

    /// <summary>Sends SIGINT, as Ctrl-C in a terminal does.</summary>
    public void Interrupt() => Signal(2);

    /// <summary>Sends SIGKILL to the process only (not its children): a crash.</summary>
    public void KillHard() => Signal(9);

    /// <summary>Sends SIGSTOP: the process freezes (its children do not).</summary>
    public void Pause() => Signal(19);

    /// <summary>Sends SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume() => Signal(18);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }

    private void Signal(int signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    private void OnLine(string? line, StringBuilder sink)
    {
        if (line is null)
            return;
        List<TaskCompletionSource<string>> hits = [];
        lock (_gate)
        {
            sink.AppendLine(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    hits.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }
        foreach (var h in hits)
            h.TrySetResult(line);
    }
}

/// <summary>
/// Gives Ctrl-C (SIGINT) its default disposition in the test process before it starts children, as a terminal's
/// foreground job has it. A test run started in the background (a CI runner's <c>cmd &amp;</c>, nohup) inherits
/// SIGINT ignored, every child would inherit that too, and og, like a shell, leaves an inherited ignored SIGINT
/// ignored: <see cref="TestProcess.Interrupt"/> would then test how the run was started, not how og stops on Ctrl-C.
/// </summary>
internal static class TerminalSignals
{
    private const int Sigint = 2;
    private const nint SigDfl = 0;
    private const nint SigErr = -1;
    private static readonly Lazy<int> Errno = new(() => SetHandler(Sigint, SigDfl) == SigErr ? Marshal.GetLastPInvokeError() : 0);

    public static void EnsureDefault()
    {
        if (Errno.Value != 0)
            throw new InvalidOperationException($"could not give SIGINT its default disposition (errno {Errno.Value})");
    }

    [DllImport("libc", EntryPoint = "signal", SetLastError = true)]
    private static extern nint SetHandler(int signal, nint handler);
}

public static class FreePort
{
    /// <summary>A loopback TCP port free right now (the OS picks it).</summary>
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public static class Processes
{
    /// <summary>
    /// The live processes on this machine with exactly this command line (args joined by spaces), each described by
    /// pid, parent and CPU cgroup — enough to tell whose job a stray one belongs to.
    /// </summary>
    public static IReadOnlyList<string> WithCommandLine(string commandLine) =>
        [.. Directory.EnumerateDirectories("/proc").Where(d => Read(d, "cmdline")?.Replace('\0', ' ').Trim() == commandLine).Select(Describe)];

    /// <summary>Whether any live process on this machine has exactly this command line (args joined by spaces).</summary>
    public static bool AnyWithCommandLine(string commandLine) => WithCommandLine(commandLine).Count > 0;

    private static string Describe(string dir)
    {
        var stat = Read(dir, "stat") ?? "";
        var parent = stat.Length > 0 ? stat[(stat.LastIndexOf(')') + 2)..].Split(' ').ElementAtOrDefault(1) : null;
        var cgroup = Read(dir, "cgroup")?.Split('\n').FirstOrDefault(l => l.Contains(":cpu,") || l.Contains(":cpu:") || l.StartsWith("0::", StringComparison.Ordinal));
        return $"pid {Path.GetFileName(dir)} (parent {parent ?? "?"}, cgroup {cgroup ?? "?"})";
    }

    private static string? Read(string dir, string file)
    {
        try
        {
            return File.ReadAllText(Path.Combine(dir, file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
