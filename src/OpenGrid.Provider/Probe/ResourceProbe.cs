using System.Diagnostics;
using System.Globalization;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Provider.Probe;

/// <summary>What this machine has and can run, detected rather than configured: CPU, memory, disk, GPUs, capabilities.</summary>
public sealed record MachineInventory(HardwareView Hardware, IReadOnlyList<string> Capabilities);

/// <summary>
/// Detects the machine's hardware and runtimes from <c>/proc</c>, <c>/sys</c>, <c>nvidia-smi</c> and the files that
/// installed packages leave. Every probe tolerates absence: a missing GPU is zero GPUs, not an error.
/// </summary>
public static class ResourceProbe
{
    public static MachineInventory Detect(string workRoot)
    {
        var gpus = DetectGpus();
        var hardware = new HardwareView(CpuModel(), Environment.ProcessorCount, MemoryBytes(), DiskBytes(workRoot), gpus);
        var capabilities = new List<string> { "runtime:process" };
        if (File.Exists("/usr/bin/blender"))
            capabilities.Add("blender");
        if (Directory.Exists("/usr/lib/python3/dist-packages/torch"))
            capabilities.Add("python3-torch");
        if (File.Exists("/usr/bin/python3"))
            capabilities.Add("python3");
        foreach (var gpu in gpus)
            capabilities.Add("gpu:" + gpu.Model.ToLowerInvariant().Replace(' ', '-'));
        return new MachineInventory(hardware, capabilities.Distinct().ToList());
    }

    internal static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    internal static long MemoryBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
                return kib * 1024;
        }
        catch (IOException)
        {
            // Fall through to the GC's view.
        }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    internal static long DiskBytes(string workRoot)
    {
        Directory.CreateDirectory(workRoot);
        return new DriveInfo(Path.GetFullPath(workRoot)).AvailableFreeSpace;
    }

    /// <summary>
    /// GPUs from <c>nvidia-smi</c> when present; else from the driver's <c>/proc/driver/nvidia/gpus/*/information</c>
    /// (model only); else none. Without the driver a GPU is not usable, so PCI devices alone do not count.
    /// </summary>
    internal static IReadOnlyList<GpuView> DetectGpus()
    {
        var smi = new[] { "/usr/bin/nvidia-smi", "/usr/local/bin/nvidia-smi" }.FirstOrDefault(File.Exists);
        if (smi is null)
            return DriverGpus("/proc/driver/nvidia/gpus");
        try
        {
            var psi = new ProcessStartInfo(smi, "--query-gpu=name,memory.total,driver_version --format=csv,noheader,nounits")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit(10_000);
            var cuda = CudaVersion(smi);
            return ParseNvidiaSmi(output, cuda);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return [];
        }
    }

    /// <summary>Parses <c>name, memory MiB, driver</c> lines of nvidia-smi's CSV output.</summary>
    internal static IReadOnlyList<GpuView> ParseNvidiaSmi(string csv, string? cuda)
    {
        var gpus = new List<GpuView>();
        foreach (var line in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split(',', StringSplitOptions.TrimEntries);
            if (f.Length >= 3 && long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var mib))
                gpus.Add(new GpuView(f[0], mib * 1024 * 1024, f[2], cuda));
        }
        return gpus;
    }

    /// <summary>GPUs the NVIDIA kernel driver lists, one folder each, with a <c>Model:</c> line.</summary>
    internal static IReadOnlyList<GpuView> DriverGpus(string root)
    {
        if (!Directory.Exists(root))
            return [];
        var gpus = new List<GpuView>();
        foreach (var dir in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            var info = Path.Combine(dir, "information");
            if (!File.Exists(info))
                continue;
            var model = File.ReadLines(info).FirstOrDefault(l => l.StartsWith("Model:", StringComparison.Ordinal));
            gpus.Add(new GpuView(model?["Model:".Length..].Trim() ?? "NVIDIA GPU", 0, null, null));
        }
        return gpus;
    }

    private static string? CudaVersion(string smi)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(smi) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var text = p.StandardOutput.ReadToEnd();
            p.WaitForExit(10_000);
            var i = text.IndexOf("CUDA Version:", StringComparison.Ordinal);
            return i < 0 ? null : text[(i + "CUDA Version:".Length)..].Trim().Split(' ', '|')[0].Trim();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }
}
