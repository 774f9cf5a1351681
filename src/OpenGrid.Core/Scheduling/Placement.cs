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

/// <summary>A provider as placement sees it: its capacity and whether it is running a lease now.</summary>
public sealed record ProviderSlot(Address Provider, ProviderCapacity Capacity, bool Busy);

/// <summary>A job waiting for a provider.</summary>
public sealed record PendingJob(JobId Id, ResourceRequest Resources, IReadOnlyList<string> Requires);

/// <summary>The decision for one round: which job goes to which provider.</summary>
public sealed record PlacementPlan(IReadOnlyList<(JobId Job, Address Provider)> Assignments);

/// <summary>
/// The placement seam: a pure function from a snapshot to a plan. The coordinator's scheduler worker applies the
/// plan. The order book of the marketplace replaces <see cref="FirstFitPlacement"/> behind this interface.
/// </summary>
public interface IPlacement
{
    PlacementPlan Plan(IReadOnlyList<PendingJob> jobs, IReadOnlyList<ProviderSlot> providers);
}

/// <summary>
/// First fit: jobs in submission order, each to the first idle provider it fits. A provider runs one lease at a
/// time in v1.
/// </summary>
public sealed class FirstFitPlacement : IPlacement
{
    public PlacementPlan Plan(IReadOnlyList<PendingJob> jobs, IReadOnlyList<ProviderSlot> providers)
    {
        var taken = new HashSet<Address>();
        var plan = new List<(JobId, Address)>();
        foreach (var job in jobs)
        {
            foreach (var slot in providers)
            {
                if (slot.Busy || taken.Contains(slot.Provider) || Feasibility.FirstFailure(job.Resources, job.Requires, slot.Capacity) is not null)
                    continue;
                taken.Add(slot.Provider);
                plan.Add((job.Id, slot.Provider));
                break;
            }
        }
        return new PlacementPlan(plan);
    }
}

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
