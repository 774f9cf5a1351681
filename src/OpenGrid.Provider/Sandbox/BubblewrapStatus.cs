using System.Text.RegularExpressions;

namespace OpenGrid.Provider.Sandbox;

/// <summary>Reads what bwrap wrote on <c>--json-status-fd</c>: <c>{ "child-pid": N, … }</c> once the sandbox's
/// first process exists (N is its host pid: pid 1 of the job's namespace).</summary>
internal static partial class BubblewrapStatus
{
    public static int? ChildPid(string statusFile)
    {
        if (!File.Exists(statusFile))
        {
            return null;
        }

        // Only a complete entry counts: a half-written number must never be taken for a pid to kill.
        var match = ChildPidEntry().Match(File.ReadAllText(statusFile));
        return match.Success && int.TryParse(match.Groups[1].Value, out var pid) ? pid : null;
    }

    /// <summary>Whether <paramref name="pid"/> is still a child of <paramref name="parent"/> (not a recycled pid).</summary>
    public static bool IsChildOf(int pid, int parent)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // "pid (comm) state ppid …"; comm may hold spaces and parentheses, so parse after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 1 && int.TryParse(fields[1], out var ppid) && ppid == parent;
    }

    [GeneratedRegex("\"child-pid\"\\s*:\\s*(\\d+)\\s*[,}]")]
    private static partial Regex ChildPidEntry();
}
