using System.Runtime.InteropServices;

namespace OpenGrid.Provider.Sandbox;

/// <summary>kill(2): .NET can only kill processes it started, and the cgroup lists the job's descendants too.</summary>
internal static class Signals
{
    private const int SigKill = 9;

    /// <summary>Sends SIGKILL; a pid that is already gone (ESRCH) is fine.</summary>
    public static void Kill(int pid) => _ = kill(pid, SigKill);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
