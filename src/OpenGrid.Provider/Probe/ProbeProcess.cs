using System.ComponentModel;
using System.Diagnostics;

namespace OpenGrid.Provider.Probe;

/// <summary>What a probe command printed and how it ended.</summary>
public sealed record ProbeOutput(int ExitCode, string Stdout);

/// <summary>
/// Runs a short host command for a probe (<c>nvidia-smi</c>, <c>blender --version</c>): no shell, output captured,
/// killed with its whole tree at <paramref name="timeout"/>. Throws <see cref="ProbeFailedException"/> when the
/// program cannot start or does not finish in time, so each detector reports one kind of failure.
/// </summary>
public static class ProbeProcess
{
    public static async Task<ProbeOutput> RunAsync(string program, IReadOnlyList<string> args, TimeSpan timeout, CancellationToken ct)
    {
        var info = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new ProbeFailedException($"{program} did not start");
        }
        catch (Win32Exception e)
        {
            throw new ProbeFailedException($"{program} could not start: {e.Message}");
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                ct.ThrowIfCancellationRequested();
                throw new ProbeFailedException($"{program} did not finish within {timeout.TotalSeconds:0.#} s");
            }

            await stderr.ConfigureAwait(false);
            return new ProbeOutput(process.ExitCode, await stdout.ConfigureAwait(false));
        }
    }
}

/// <summary>A probe could not find out what it looked for (the program is missing, hung, or printed nonsense).</summary>
public sealed class ProbeFailedException(string message) : Exception(message);
