using OpenGrid.Core.Scheduling;
using OpenGrid.Core.Specs;

namespace OpenGrid.Core.Market;

/// <summary>
/// An amount of a provider's resources: CPU in millicores, memory and disk in bytes, and the GPUs themselves (each
/// element is one physical GPU, so two equal records are two GPUs; at most <see cref="MaxGpus"/>).
/// </summary>
public sealed record ResourceVector(long CpuMillis, long MemoryBytes, long DiskBytes, IReadOnlyList<GpuInfo> Gpus)
{
    /// <summary>The most GPUs one vector may list: the matcher tracks a provider's free GPUs in a 64-bit mask.</summary>
    public const int MaxGpus = 64;

    public static readonly ResourceVector Empty = new(0, 0, 0, []);

    /// <summary>A provider's total capacity as the v1 scheduler described it, without the capabilities.</summary>
    public static ResourceVector Of(ProviderCapacity capacity)
    {
        ArgumentNullException.ThrowIfNull(capacity);
        return new(capacity.CpuMillis, capacity.MemoryBytes, capacity.DiskBytes, capacity.Gpus);
    }

    /// <summary>Whether one GPU has the wanted model (case-insensitive substring; null = any) and at least the wanted memory.</summary>
    public static bool GpuSatisfies(GpuInfo gpu, GpuRequest request)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        ArgumentNullException.ThrowIfNull(request);
        return gpu.MemoryBytes >= request.MemoryBytes && GpuModelMatches(gpu, request);
    }

    /// <summary>Whether one GPU has the wanted model (case-insensitive substring; null = any), whatever its memory.</summary>
    public static bool GpuModelMatches(GpuInfo gpu, GpuRequest request) =>
        request.Model is null || gpu.Model.Contains(request.Model, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the request fits in this vector: CPU, memory, disk, and enough GPUs that each satisfy it.</summary>
    public bool Fits(ResourceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.CpuMillis <= CpuMillis
            && request.MemoryBytes <= MemoryBytes
            && request.DiskBytes <= DiskBytes
            && (request.Gpu.Count == 0 || CountSatisfying(request.Gpu) >= request.Gpu.Count);
    }

    /// <summary>How many of these GPUs satisfy the request's model and per-GPU memory.</summary>
    public int CountSatisfying(GpuRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var count = 0;
        foreach (var gpu in Gpus)
        {
            if (GpuSatisfies(gpu, request))
                count++;
        }

        return count;
    }

    /// <summary>
    /// The GPUs a request would lease, as the same instances this vector holds, or null when too few satisfy it.
    /// Cheapest first under <paramref name="prices"/> (when given), then least memory (a big GPU is left for a job
    /// that needs it), then list order. The matcher picks the same way.
    /// </summary>
    public IReadOnlyList<GpuInfo>? PickGpus(GpuRequest request, PriceList? prices = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Count == 0)
            return [];
        var eligible = new List<(long Price, long Memory, int Index)>();
        for (var i = 0; i < Gpus.Count; i++)
        {
            if (GpuSatisfies(Gpus[i], request))
                eligible.Add((prices?.GpuPricePerHour(Gpus[i]).BaseUnits ?? 0, Gpus[i].MemoryBytes, i));
        }

        if (eligible.Count < request.Count)
            return null;
        eligible.Sort();
        var picked = new GpuInfo[request.Count];
        for (var i = 0; i < picked.Length; i++)
            picked[i] = Gpus[eligible[i].Index];
        return picked;
    }

    /// <summary>
    /// What is left after leasing <paramref name="request"/> on <paramref name="gpus"/>: each listed GPU stops being
    /// free (the same instance when this vector holds it, else one equal GPU). Throws when the request does not fit,
    /// or a GPU is not free here or does not satisfy the request: leasing what is not free is a bug.
    /// </summary>
    public ResourceVector Subtract(ResourceRequest request, IReadOnlyList<GpuInfo> gpus)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(gpus);
        if (request.CpuMillis > CpuMillis || request.MemoryBytes > MemoryBytes || request.DiskBytes > DiskBytes)
            throw new InvalidOperationException($"cannot lease cpu {request.CpuMillis}m, memory {request.MemoryBytes} B, disk {request.DiskBytes} B out of {this}");
        if (gpus.Count != request.Gpu.Count)
            throw new ArgumentException($"the request wants {request.Gpu.Count} GPUs but {gpus.Count} are given", nameof(gpus));

        var remaining = new List<GpuInfo>(Gpus);
        foreach (var gpu in gpus)
        {
            if (!GpuSatisfies(gpu, request.Gpu))
                throw new ArgumentException($"GPU {gpu} does not satisfy {request.Gpu}", nameof(gpus));
            var at = remaining.FindIndex(free => ReferenceEquals(free, gpu));
            if (at < 0)
                at = remaining.IndexOf(gpu);
            if (at < 0)
                throw new InvalidOperationException($"GPU {gpu} is not free");
            remaining.RemoveAt(at);
        }

        return new ResourceVector(CpuMillis - request.CpuMillis, MemoryBytes - request.MemoryBytes, DiskBytes - request.DiskBytes, remaining);
    }
}
