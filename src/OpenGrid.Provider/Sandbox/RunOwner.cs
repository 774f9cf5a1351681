namespace OpenGrid.Provider.Sandbox;

/// <summary>
/// Names a run's cgroup and scratch dir after the provider process that owns them (<c>{pid namespace}-{pid}-…</c>),
/// so a provider can sweep what a killed provider left behind without touching the live runs of another one.
/// </summary>
internal static class RunOwner
{
    /// <summary>This process's pid namespace (inode of <c>/proc/self/ns/pid</c>): pids of other namespaces
    /// cannot be checked for life from here, so their runs are never swept.</summary>
    public static readonly string PidNamespace = ReadPidNamespace();

    /// <summary>The owner part of a name made by this process.</summary>
    public static string Tag { get; } = $"{PidNamespace}-{Environment.ProcessId}-";

    /// <summary>Whether <paramref name="name"/> (after <paramref name="prefix"/>) belongs to a dead process of this
    /// pid namespace.</summary>
    public static bool IsOrphan(string name, string prefix)
    {
        if (!name.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = name[prefix.Length..].Split('-', 3);
        return parts.Length == 3 && parts[0] == PidNamespace && int.TryParse(parts[1], out var pid) &&
            !Directory.Exists($"/proc/{pid}");
    }

    private static string ReadPidNamespace()
    {
        // "pid:[4026531836]"
        var link = new FileInfo("/proc/self/ns/pid").LinkTarget ?? "";
        var digits = new string(link.Where(char.IsAsciiDigit).ToArray());
        return digits.Length > 0 ? digits : "0";
    }
}
