using System.Globalization;

namespace OpenGrid.Cli.Output;

/// <summary>Human forms of sizes, durations, times and resources.</summary>
internal static class Formats
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    public static string Bytes(long bytes)
    {
        if (bytes < 1024)
            return $"{bytes} B";
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString(value < 10 ? "0.#" : "0", CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    public static string Seconds(double seconds) =>
        seconds < 60
            ? seconds.ToString("0.##", CultureInfo.InvariantCulture) + " s"
            : Duration(TimeSpan.FromSeconds(seconds));

    public static string Duration(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes:00}m{span.Seconds:00}s"
        : span.TotalMinutes >= 1 ? $"{span.Minutes}m{span.Seconds:00}s"
        : $"{span.Seconds}s";

    /// <summary>UTC, to the second: <c>2025-01-31 12:00:05Z</c>.</summary>
    public static string Time(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    public static string Cpu(long millis) =>
        millis % 1000 == 0 ? $"{millis / 1000} cpu" : $"{millis}m cpu";

    /// <summary>A path as the user would type it: relative when it is under the current directory, else absolute.</summary>
    public static string DisplayPath(string path, string currentDirectory)
    {
        var relative = Path.GetRelativePath(currentDirectory, path);
        return relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? path
            : relative;
    }

    public static string OrDash(string? text) => string.IsNullOrEmpty(text) ? "-" : text;
}
