using System.Collections.Concurrent;
using System.Diagnostics;

namespace OpenGrid.Provider.Sandbox;

/// <summary>
/// Starts processes from one thread that lives as long as the provider. The kernel sends a parent-death signal
/// (which <c>bwrap --die-with-parent</c> sets) when the <em>thread</em> that forked the child exits, and .NET
/// forks on the calling thread: started from a thread-pool thread that later retires, bwrap is killed
/// mid-run and the job is orphaned (seen on this kernel, 6.x).
/// </summary>
internal static class ProcessStarter
{
    private static readonly BlockingCollection<(ProcessStartInfo StartInfo, TaskCompletionSource<Process> Started)>
        Requests = new();

    static ProcessStarter()
    {
        new Thread(Serve) { IsBackground = true, Name = "sandbox-process-starter" }.Start();
    }

    public static Task<Process> StartAsync(ProcessStartInfo startInfo)
    {
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((startInfo, started));
        return started.Task;
    }

    private static void Serve()
    {
        foreach (var (startInfo, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(startInfo)
                    ?? throw new InvalidOperationException($"{startInfo.FileName} did not start"));
            }
            catch (Exception ex)
            {
                // Handed to the caller, who awaits it.
                started.SetException(ex);
            }
        }
    }
}
