using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OpenGrid.Provider.Sandbox;
using OpenGrid.Testing;

namespace OpenGrid.Runners.Tests.Sandbox;

/// <summary>
/// A runner run the way a provider runs a job: under the real bubblewrap sandbox (as uid 65534 when the tests run as
/// root), with the runner's folder mounted read-only and on the job's PATH; a fresh work and out folder per test, and
/// the job's stdout and stderr collected.
/// </summary>
public abstract class RunnerInSandbox : IDisposable
{
    protected static readonly SandboxLimits Limits =
        new(MemoryBytes: 512L << 20, CpuMillis: 2000, Processes: 64, Timeout: TimeSpan.FromSeconds(60), DiskBytes: 64L << 20);

    private readonly TempDir root;
    private readonly BubblewrapSandbox sandbox;
    protected readonly string work;
    protected readonly string output;
    protected readonly StringBuilder stdout = new();
    protected readonly StringBuilder stderr = new();

    protected RunnerInSandbox(string name, string runnerDirectory)
    {
        var options = new SandboxOptions { RunnerDirectories = [runnerDirectory] };
        Assert.True(File.Exists(options.BwrapPath), $"bubblewrap is missing: `{BubblewrapSandbox.InstallCommand}`");
        sandbox = new BubblewrapSandbox(options, NullLogger<BubblewrapSandbox>.Instance);
        root = new TempDir(name);
        work = Directory.CreateDirectory(root.Combine("work")).FullName;
        output = Directory.CreateDirectory(root.Combine("out")).FullName;
    }

    public void Dispose()
    {
        root.Dispose();
        GC.SuppressFinalize(this);
    }

    protected Task<SandboxResult> RunAsync(params string[] argv) =>
        sandbox.RunAsync(
            new SandboxRequest(work, output, argv, new Dictionary<string, string>(), Limits),
            (stream, chunk) =>
            {
                var sink = stream == OutputStream.Stdout ? stdout : stderr;
                lock (sink)
                    sink.Append(Encoding.UTF8.GetString(chunk.Span));
                return ValueTask.CompletedTask;
            },
            CancellationToken.None);
}
