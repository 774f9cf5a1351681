using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OpenGrid.Provider.Sandbox;

namespace OpenGrid.Provider.Tests.Sandbox;

/// <summary>A real <see cref="BubblewrapSandbox"/> with fresh work and out dirs, and the run's output collected.</summary>
internal sealed class SandboxHarness : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("og-sandbox-test-");

    public SandboxHarness(SandboxOptions? options = null)
    {
        options ??= new SandboxOptions();
        Assert.True(
            File.Exists(options.BwrapPath),
            $"These tests run jobs under real bubblewrap, and {options.BwrapPath} is missing: " +
            $"install it with `{BubblewrapSandbox.InstallCommand}`.");
        Sandbox = new BubblewrapSandbox(options, NullLogger<BubblewrapSandbox>.Instance);
        WorkDir = root.CreateSubdirectory("work").FullName;
        OutDir = root.CreateSubdirectory("out").FullName;
    }

    /// <summary>Limits roomy enough that only the limit a test sets on purpose is ever hit.</summary>
    public static SandboxLimits Roomy { get; } =
        new(MemoryBytes: 256L << 20, CpuMillis: 1000, Processes: 64, Timeout: TimeSpan.FromSeconds(30), DiskBytes: 64L << 20);

    public BubblewrapSandbox Sandbox { get; }

    public string Root => root.FullName;

    public string WorkDir { get; }

    public string OutDir { get; }

    public RunOutput Output { get; } = new();

    public Task<SandboxResult> RunAsync(
        IReadOnlyList<string> argv,
        SandboxLimits? limits = null,
        IReadOnlyDictionary<string, string>? env = null,
        CancellationToken cancellationToken = default) =>
        Sandbox.RunAsync(
            new SandboxRequest(WorkDir, OutDir, argv, env ?? new Dictionary<string, string>(), limits ?? Roomy),
            Output.OnOutputAsync,
            cancellationToken);

    public Task<SandboxResult> RunShellAsync(string script, SandboxLimits? limits = null, CancellationToken cancellationToken = default) =>
        RunAsync(["/usr/bin/bash", "-c", script], limits, cancellationToken: cancellationToken);

    public void Dispose() => root.Delete(recursive: true);
}

/// <summary>stdout and stderr as they arrive, with a way to wait until some text has been seen.</summary>
internal sealed class RunOutput
{
    private readonly object gate = new();
    private readonly MemoryStream stdout = new();
    private readonly MemoryStream stderr = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> waiters = [];

    public string Stdout => Read(stdout);

    public string Stderr => Read(stderr);

    public ValueTask OnOutputAsync(OutputStream stream, ReadOnlyMemory<byte> chunk)
    {
        lock (gate)
        {
            (stream == OutputStream.Stdout ? stdout : stderr).Write(chunk.Span);
            var text = Encoding.UTF8.GetString(stdout.ToArray());
            foreach (var waiter in waiters.Where(w => text.Contains(w.Text, StringComparison.Ordinal)))
            {
                waiter.Seen.TrySetResult();
            }
        }

        return ValueTask.CompletedTask;
    }

    public async Task WaitForStdoutAsync(string text)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            waiters.Add((text, seen));
            if (Encoding.UTF8.GetString(stdout.ToArray()).Contains(text, StringComparison.Ordinal))
            {
                seen.TrySetResult();
            }
        }

        try
        {
            await seen.Task.WaitAsync(SandboxHarness.Patience);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"job never printed '{text}' on stdout; stdout: {Stdout}; stderr: {Stderr}");
        }
    }

    private string Read(MemoryStream stream)
    {
        lock (gate)
        {
            return Encoding.UTF8.GetString(stream.ToArray());
        }
    }
}

/// <summary>Host-side view of the job's processes, found by the job's pid namespace (printed by the job).</summary>
internal static class HostProcesses
{
    public static IReadOnlyList<(int Pid, string CommandLine)> InPidNamespace(string pidNamespace)
    {
        var found = new List<(int, string)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var link = new FileInfo(Path.Combine(directory, "ns", "pid")).LinkTarget;
                if (link == pidNamespace)
                {
                    var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim();
                    found.Add((pid, commandLine));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked: it is not in the namespace any more.
            }
        }

        return found;
    }
}
