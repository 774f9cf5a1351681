namespace OpenGrid.Cli.Jobs;

/// <summary>
/// Where an output file goes under the download folder. Output paths come from the coordinator (and from whatever the
/// job wrote), so they are untrusted: a path that is absolute, has <c>..</c>, <c>.</c> or empty segments, or would
/// land outside the folder (also through a symbolic link already in it) is refused.
/// </summary>
internal static class OutputPaths
{
    /// <summary>The full path of <paramref name="outputPath"/> under <paramref name="folder"/>, or null when it escapes.</summary>
    public static string? Resolve(string folder, string outputPath)
    {
        if (string.IsNullOrEmpty(outputPath) || outputPath.Contains('\0') || outputPath.Contains('\\')
            || outputPath.StartsWith('/') || Path.IsPathRooted(outputPath))
            return null;
        var segments = outputPath.Split('/');
        if (segments.Any(s => s.Length == 0 || s == "." || s == ".."))
            return null;

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var full = Path.GetFullPath(Path.Combine([root, .. segments]));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            return null;

        // A symbolic link among the folders on the way would redirect the write elsewhere.
        var dir = root;
        foreach (var segment in segments[..^1])
        {
            dir = Path.Combine(dir, segment);
            var info = new DirectoryInfo(dir);
            if (info.Exists && info.LinkTarget is not null)
                return null;
            if (!info.Exists && File.Exists(dir))
                return null;
        }
        return full;
    }
}
