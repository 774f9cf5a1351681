namespace OpenGrid.Provider.Sandbox;

/// <summary>The job's read-only root, mirrored from the host: <c>/usr</c>, the <c>/bin</c>, <c>/lib*</c> links
/// (or directories on hosts without merged /usr), and only the listed entries of <c>/etc</c>.</summary>
internal static class HostRootLayout
{
    private static readonly string[] TopLevel = ["bin", "sbin", "lib", "lib32", "lib64", "libx32"];

    public static IReadOnlyList<string> Arguments(IEnumerable<string> etcEntries)
    {
        var args = new List<string> { "--ro-bind", "/usr", "/usr" };
        foreach (var name in TopLevel)
        {
            var path = "/" + name;
            var info = new FileInfo(path);
            if (info.LinkTarget is { } target)
            {
                args.AddRange(["--symlink", target, path]);
            }
            else if (Directory.Exists(path))
            {
                args.AddRange(["--ro-bind", path, path]);
            }
        }

        // bwrap would create /etc as 0700 root: unreadable to the job user.
        args.AddRange(["--perms", "0755", "--dir", "/etc"]);
        foreach (var entry in etcEntries.Where(IsPlainName))
        {
            var path = "/etc/" + entry;
            if (File.Exists(path) || Directory.Exists(path))
            {
                args.AddRange(["--ro-bind", path, path]);
            }
        }

        return args;
    }

    private static bool IsPlainName(string entry) => entry is not ("" or "." or "..") && !entry.Contains('/');
}
