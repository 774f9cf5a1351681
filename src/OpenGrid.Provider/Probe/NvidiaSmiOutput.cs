using System.Globalization;
using System.Text.RegularExpressions;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Provider.Probe;

/// <summary>
/// Parsers for what the NVIDIA tools print, kept pure so they are tested on captured output: the CSV of
/// <c>nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader</c>, the banner of plain
/// <c>nvidia-smi</c> (which carries the CUDA version) and <c>/proc/driver/nvidia/version</c> (the driver version).
/// </summary>
public static partial class NvidiaSmiOutput
{
    private const long MiB = 1024 * 1024;

    /// <summary>The arguments of the query whose output <see cref="ParseQuery"/> reads.</summary>
    public static readonly IReadOnlyList<string> QueryArguments = ["--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"];

    [GeneratedRegex(@"CUDA Version:\s*([0-9]+\.[0-9]+)")]
    private static partial Regex CudaVersionPattern();

    [GeneratedRegex(@"Kernel Module\s+([0-9]+(\.[0-9]+)+)")]
    private static partial Regex DriverVersionPattern();

    /// <summary>
    /// One GPU per line <c>name, memory, driver</c>; memory in MiB with or without the unit (<c>81559 MiB</c>,
    /// <c>81559</c>), or <c>[N/A]</c> (counted as 0). Lines that do not have this shape (messages such as
    /// "No devices were found", errors) are skipped.
    /// </summary>
    public static IReadOnlyList<GpuView> ParseQuery(string csv, string? cudaVersion)
    {
        var gpus = new List<GpuView>();
        foreach (var line in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(',', StringSplitOptions.TrimEntries);
            if (fields.Length != 3 || fields[0].Length == 0 || !TryParseMemory(fields[1], out var bytes) || !IsVersion(fields[2]))
                continue;
            gpus.Add(new GpuView(fields[0], bytes, fields[2], cudaVersion));
        }

        return gpus;
    }

    /// <summary>The <c>CUDA Version: 12.4</c> of nvidia-smi's banner; null when absent (no CUDA-capable driver).</summary>
    public static string? ParseCudaVersion(string banner) =>
        CudaVersionPattern().Match(banner) is { Success: true } match ? match.Groups[1].Value : null;

    /// <summary>The driver version from <c>/proc/driver/nvidia/version</c> (<c>NVRM version: … Kernel Module  550.54.15 …</c>).</summary>
    public static string? ParseDriverVersion(string procVersion) =>
        DriverVersionPattern().Match(procVersion) is { Success: true } match ? match.Groups[1].Value : null;

    private static bool TryParseMemory(string text, out long bytes)
    {
        bytes = 0;
        if (text == "[N/A]")
            return true;
        var number = text.EndsWith(" MiB", StringComparison.Ordinal) ? text[..^4] : text;
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var mib) || mib > long.MaxValue / MiB)
            return false;
        bytes = mib * MiB;
        return true;
    }

    private static bool IsVersion(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiDigit(c) || c == '.') && char.IsAsciiDigit(text[0]);
}
