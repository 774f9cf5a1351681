using System.Globalization;
using Microsoft.Extensions.Logging;
using OpenGrid.Core.Market;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Provider.Probe;

/// <summary>What this machine has and can run, detected rather than configured: CPU, memory, disk, GPUs, capabilities.</summary>
public sealed record MachineInventory(HardwareView Hardware, IReadOnlyList<string> Capabilities);

/// <summary>
/// Detects the machine's hardware from <c>/proc</c> and the file system, its GPUs (<see cref="GpuProbe"/>) and what
/// it can run (<see cref="CapabilityProbe"/>), all at once at agent start. Every probe tolerates absence: a missing
/// GPU is zero GPUs, a missing runtime an absent capability, never an error.
/// </summary>
public static partial class ResourceProbe
{
    public static Task<MachineInventory> DetectAsync(string workRoot, ILogger log, CancellationToken cancellationToken) =>
        DetectAsync(workRoot, GpuProbe.Host, CapabilityDetectors.Default, CapabilityProbe.DefaultTimeout, log, cancellationToken);

    public static async Task<MachineInventory> DetectAsync(
        string workRoot, GpuProbe gpuProbe, IReadOnlyList<ICapabilityDetector> detectors, TimeSpan timeout, ILogger log,
        CancellationToken cancellationToken)
    {
        var gpusTask = DetectGpusAsync(gpuProbe, timeout, log, cancellationToken);
        var capabilitiesTask = CapabilityProbe.DetectAsync(detectors, timeout, log, cancellationToken);
        var hardware = new HardwareView(CpuModel(), Environment.ProcessorCount, MemoryBytes(), DiskBytes(workRoot), await gpusTask.ConfigureAwait(false));
        IReadOnlyList<string> capabilities =
        [
            Offer.RuntimeProcess,
            .. await capabilitiesTask.ConfigureAwait(false),
            .. GpuCapabilities.For(hardware.Gpus),
        ];
        return new MachineInventory(hardware, [.. capabilities.Distinct(StringComparer.Ordinal)]);
    }

    private static async Task<IReadOnlyList<GpuView>> DetectGpusAsync(GpuProbe probe, TimeSpan timeout, ILogger log, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            var gpus = await probe.DetectAsync(deadline.Token).ConfigureAwait(false);
            foreach (var gpu in gpus)
                LogGpu(log, gpu.Model, gpu.MemoryBytes, gpu.Driver ?? "unknown", gpu.Cuda ?? "none");
            return gpus;
        }
        catch (Exception e) when (e is ProbeFailedException or IOException or UnauthorizedAccessException
                                      || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            LogGpuProbeFailed(log, e.Message);
            return [];
        }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "GPU {Model}: {MemoryBytes} bytes, driver {Driver}, CUDA {Cuda}")]
    private static partial void LogGpu(ILogger log, string model, long memoryBytes, string driver, string cuda);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GPU probe failed: {Reason}; offering no GPUs")]
    private static partial void LogGpuProbeFailed(ILogger log, string reason);
}
