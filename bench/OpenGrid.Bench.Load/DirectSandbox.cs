using System.Diagnostics;
using OpenGrid.Provider.Sandbox;

namespace OpenGrid.Bench.Load;

/// <summary>
/// Runs the job as a plain child process, with no isolation at all: only to measure what the real sandbox costs.
/// Lives in the benchmark, never in the product.
/// </summary>
internal sealed class DirectSandbox : ISandbox
{
    public SandboxEnforcement Enforcement { get; } = new("none (benchmark only)", "none", []);

    public async Task<SandboxResult> RunAsync(SandboxRequest request, Func<OutputStream, ReadOnlyMemory<byte>, ValueTask> onOutput, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var psi = new ProcessStartInfo(request.Argv[0]) { WorkingDirectory = request.WorkDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in request.Argv.Skip(1))
            psi.ArgumentList.Add(a);
        psi.Environment["OG_OUT"] = request.OutDir;
        using var p = Process.Start(psi)!;
        var stdout = PumpAsync(p.StandardOutput.BaseStream, OutputStream.Stdout, onOutput);
        var stderr = PumpAsync(p.StandardError.BaseStream, OutputStream.Stderr, onOutput);
        await p.WaitForExitAsync(cancellationToken);
        await Task.WhenAll(stdout, stderr);
        TimeSpan cpu;
        try
        {
            cpu = p.TotalProcessorTime;
        }
        catch (InvalidOperationException)
        {
            cpu = TimeSpan.Zero; // already reaped: its times are gone
        }
        return new SandboxResult(SandboxOutcome.Exited, p.ExitCode, new SandboxUsage(started.Elapsed, cpu, 0), null);
    }

    private static async Task PumpAsync(Stream s, OutputStream which, Func<OutputStream, ReadOnlyMemory<byte>, ValueTask> onOutput)
    {
        var buffer = new byte[4096];
        int n;
        while ((n = await s.ReadAsync(buffer)) > 0)
            await onOutput(which, buffer.AsMemory(0, n));
    }
}
