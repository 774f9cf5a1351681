using System.Runtime.InteropServices;

namespace OpenGrid.Cli.Grid;

/// <summary>POSIX signals by pid (OpenGrid runs on Linux): liveness probes and polite termination.</summary>
internal static partial class ProcessSignals
{
    private const int Sigterm = 15;
    private const int Eperm = 1;

    /// <summary>Whether a process with this pid exists (it may belong to another user).</summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0)
            return false;
        if (Kill(pid, 0) == 0)
            return true;
        return Marshal.GetLastPInvokeError() == Eperm;
    }

    /// <summary>Asks the process to stop (SIGTERM); false when it is already gone.</summary>
    public static bool Terminate(int pid) => pid > 0 && Kill(pid, Sigterm) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
