using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;

namespace OpenGrid.Core.Scheduling;

/// <summary>What a provider has in total: cores in millicores, memory and disk in bytes, GPUs, capabilities.</summary>
public sealed record ProviderCapacity(
    long CpuMillis,
    long MemoryBytes,
    long DiskBytes,
    IReadOnlyList<GpuInfo> Gpus,
    IReadOnlySet<string> Capabilities);

/// <summary>One GPU: model name and memory in bytes.</summary>
public sealed record GpuInfo(string Model, long MemoryBytes);

/// <summary>Whether a job could ever run on a provider, and if not, the first requirement it fails.</summary>
public static class Feasibility
{
    /// <summary>Null when the job fits the provider's total capacity; else a reason like <c>memory 8Gi &gt; 4Gi</c>.</summary>
    public static string? FirstFailure(ResourceRequest want, IReadOnlyList<string> requires, ProviderCapacity has)
    {
        if (want.CpuMillis > has.CpuMillis)
            return $"cpu {Quantities.FormatCpu(want.CpuMillis)} > {Quantities.FormatCpu(has.CpuMillis)}";
        if (want.MemoryBytes > has.MemoryBytes)
            return $"memory {Quantities.FormatBytes(want.MemoryBytes)} > {Quantities.FormatBytes(has.MemoryBytes)}";
        if (want.DiskBytes > has.DiskBytes)
            return $"disk {Quantities.FormatBytes(want.DiskBytes)} > {Quantities.FormatBytes(has.DiskBytes)}";
        if (want.Gpu.Count > 0)
        {
            var usable = has.Gpus.Count(g =>
                (want.Gpu.Model is null || g.Model.Contains(want.Gpu.Model, StringComparison.OrdinalIgnoreCase)) &&
                g.MemoryBytes >= want.Gpu.MemoryBytes);
            if (usable < want.Gpu.Count)
            {
                var best = has.Gpus.Count == 0 ? 0 : has.Gpus.Max(g => g.MemoryBytes);
                return has.Gpus.Count == 0
                    ? $"gpu.count {want.Gpu.Count} > 0"
                    : $"gpu {want.Gpu.Count}x {(want.Gpu.Model ?? "any")} with {Quantities.FormatBytes(want.Gpu.MemoryBytes)}: has {has.Gpus.Count}, best {Quantities.FormatBytes(best)}";
            }
        }
        foreach (var capability in requires)
        {
            if (!has.Capabilities.Contains(capability))
                return $"requires '{capability}': not offered";
        }
        return null;
    }
}
