using System.Globalization;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Scheduling;
using OpenGrid.Core.Specs;

namespace OpenGrid.Core.Market;

/// <summary>
/// One requirement of a match, judged on its own (Nomad <c>scheduler/feasible</c>). A check of the job's side
/// (resources, region, capabilities, reputation, price) or of the offer's side (runtime, max duration, requester
/// reputation); each passes when the requirement it names does not apply.
/// </summary>
public interface IFeasibilityCheck
{
    /// <summary>Null when the requirement holds; else a short reason naming it and both values (<c>memory 8Gi &gt; 4Gi free</c>).</summary>
    string? FirstFailure(Bid bid, Offer offer);
}

/// <summary>
/// The checks in the order an explanation reports them: the provider's state, its rules for jobs, then the job's
/// requirements, price last (it depends on which GPUs the job would get). The matcher applies the same predicates
/// (the static <c>Holds</c> methods) without building messages.
/// </summary>
public static class FeasibilityChecks
{
    public static IReadOnlyList<IFeasibilityCheck> All { get; } =
    [
        new NotDrainingCheck(),
        new BondedCheck(),
        new NotExcludedCheck(),
        new RuntimeCheck(),
        new MaxDurationCheck(),
        new RequesterReputationCheck(),
        new RegionCheck(),
        new CapabilitiesCheck(),
        new ProviderReputationCheck(),
        new CpuCheck(),
        new MemoryCheck(),
        new DiskCheck(),
        new GpuCountCheck(),
        new GpuModelCheck(),
        new GpuMemoryCheck(),
        new PriceCheck(),
    ];

    /// <summary>Null when the offer can take the bid now (against its free resources); else the first failure in <see cref="All"/> order.</summary>
    public static string? FirstFailure(Bid bid, Offer offer)
    {
        ArgumentNullException.ThrowIfNull(bid);
        ArgumentNullException.ThrowIfNull(offer);
        foreach (var check in All)
        {
            if (check.FirstFailure(bid, offer) is { } failure)
                return failure;
        }

        return null;
    }

    /// <summary>How many checks pass, in <see cref="All"/> order, before the first failure, and that failure (null if none).</summary>
    public static (int Passed, string? Failure) Progress(Bid bid, Offer offer)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (All[i].FirstFailure(bid, offer) is { } failure)
                return (i, failure);
        }

        return (All.Count, null);
    }

    internal static string Reputation(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}

/// <summary>With payments on, only a provider whose registry stake reaches the minimum bond is matched (stake to serve).</summary>
public sealed class BondedCheck : IFeasibilityCheck
{
    public static bool Holds(bool bonded) => bonded;

    public string? FirstFailure(Bid bid, Offer offer) =>
        Holds(offer.Bonded) ? null : "not bonded: its stake in the provider registry is below the minimum bond";
}

/// <summary>A draining provider takes no new leases.</summary>
public sealed class NotDrainingCheck : IFeasibilityCheck
{
    public static bool Holds(bool draining) => !draining;

    public string? FirstFailure(Bid bid, Offer offer) => Holds(offer.Draining) ? null : "draining: takes no new leases";
}

/// <summary>A provider that holds a replica of the job already, or failed it, gets no other.</summary>
public sealed class NotExcludedCheck : IFeasibilityCheck
{
    public static bool Holds(IReadOnlySet<Address> excluded, Address provider) => excluded.Count == 0 || !excluded.Contains(provider);

    public string? FirstFailure(Bid bid, Offer offer) =>
        Holds(bid.ExcludedProviders, offer.Provider) ? null : "excluded: holds a replica of this job already or failed it";
}

/// <summary>The offer's rule: it must run the job's runtime (<see cref="Offer.RuntimeProcess"/>).</summary>
public sealed class RuntimeCheck : IFeasibilityCheck
{
    public static bool Holds(IReadOnlySet<string> capabilities) => capabilities.Contains(Offer.RuntimeProcess);

    public string? FirstFailure(Bid bid, Offer offer) =>
        Holds(offer.Capabilities) ? null : $"runtime '{JobSpecRuntime}': not offered";

    private const string JobSpecRuntime = "process";
}

/// <summary>The offer's rule: the job's timeout is at most the provider's max job duration.</summary>
public sealed class MaxDurationCheck : IFeasibilityCheck
{
    public static bool Holds(TimeSpan timeout, TimeSpan maxJobDuration) => timeout <= maxJobDuration;

    public string? FirstFailure(Bid bid, Offer offer) => Holds(bid.Duration, offer.MaxJobDuration)
        ? null
        : $"max duration {Quantities.FormatDuration(offer.MaxJobDuration)} < timeout {Quantities.FormatDuration(bid.Duration)}";
}

/// <summary>The offer's rule: the requester's reputation is at least the provider's minimum.</summary>
public sealed class RequesterReputationCheck : IFeasibilityCheck
{
    public static bool Holds(double requesterReputation, double minRequesterReputation) => requesterReputation >= minRequesterReputation;

    public string? FirstFailure(Bid bid, Offer offer) => Holds(bid.RequesterReputation, offer.MinRequesterReputation)
        ? null
        : $"requester reputation {FeasibilityChecks.Reputation(bid.RequesterReputation)} < {FeasibilityChecks.Reputation(offer.MinRequesterReputation)}";
}

/// <summary>The job's region, when it names one, is the provider's (exact, case-sensitive).</summary>
public sealed class RegionCheck : IFeasibilityCheck
{
    public static bool Holds(string? wanted, string offered) => wanted is null || string.Equals(wanted, offered, StringComparison.Ordinal);

    public string? FirstFailure(Bid bid, Offer offer) =>
        Holds(bid.Region, offer.Region) ? null : $"region '{offer.Region}' is not '{bid.Region}'";
}

/// <summary>Every capability the job requires is offered.</summary>
public sealed class CapabilitiesCheck : IFeasibilityCheck
{
    /// <summary>The first required capability the provider does not offer, or null.</summary>
    public static string? FirstMissing(IReadOnlyList<string> requires, IReadOnlySet<string> capabilities)
    {
        for (var i = 0; i < requires.Count; i++)
        {
            if (!capabilities.Contains(requires[i]))
                return requires[i];
        }

        return null;
    }

    public string? FirstFailure(Bid bid, Offer offer) =>
        FirstMissing(bid.Requires, offer.Capabilities) is { } missing ? $"requires '{missing}': not offered" : null;
}

/// <summary>The provider's reputation is at least the job's minimum.</summary>
public sealed class ProviderReputationCheck : IFeasibilityCheck
{
    public static bool Holds(double reputation, double minReputation) => reputation >= minReputation;

    public string? FirstFailure(Bid bid, Offer offer) => Holds(offer.Reputation, bid.MinProviderReputation)
        ? null
        : $"reputation {FeasibilityChecks.Reputation(offer.Reputation)} < {FeasibilityChecks.Reputation(bid.MinProviderReputation)}";
}

/// <summary>The job's CPU fits in the provider's free CPU.</summary>
public sealed class CpuCheck : IFeasibilityCheck
{
    public static bool Holds(long wantMillis, long freeMillis) => wantMillis <= freeMillis;

    public string? FirstFailure(Bid bid, Offer offer) => Holds(bid.Resources.CpuMillis, offer.Free.CpuMillis)
        ? null
        : $"cpu {Quantities.FormatCpu(bid.Resources.CpuMillis)} > {Quantities.FormatCpu(Math.Max(offer.Free.CpuMillis, 0))} free";
}

/// <summary>The job's memory fits in the provider's free memory.</summary>
public sealed class MemoryCheck : IFeasibilityCheck
{
    public static bool Holds(long wantBytes, long freeBytes) => wantBytes <= freeBytes;

    public string? FirstFailure(Bid bid, Offer offer) => Holds(bid.Resources.MemoryBytes, offer.Free.MemoryBytes)
        ? null
        : $"memory {Quantities.FormatBytes(bid.Resources.MemoryBytes)} > {Quantities.FormatBytes(Math.Max(offer.Free.MemoryBytes, 0))} free";
}

/// <summary>The job's disk fits in the provider's free disk.</summary>
public sealed class DiskCheck : IFeasibilityCheck
{
    public static bool Holds(long wantBytes, long freeBytes) => wantBytes <= freeBytes;

    public string? FirstFailure(Bid bid, Offer offer) => Holds(bid.Resources.DiskBytes, offer.Free.DiskBytes)
        ? null
        : $"disk {Quantities.FormatBytes(bid.Resources.DiskBytes)} > {Quantities.FormatBytes(Math.Max(offer.Free.DiskBytes, 0))} free";
}

/// <summary>The provider has at least as many free GPUs as the job wants, of any model.</summary>
public sealed class GpuCountCheck : IFeasibilityCheck
{
    public static bool Holds(GpuRequest want, IReadOnlyList<GpuInfo> free) => want.Count <= free.Count;

    public string? FirstFailure(Bid bid, Offer offer) => Holds(bid.Resources.Gpu, offer.Free.Gpus)
        ? null
        : $"gpu.count {bid.Resources.Gpu.Count} > {offer.Free.Gpus.Count} free";
}

/// <summary>Enough of the free GPUs are of the wanted model (case-insensitive substring).</summary>
public sealed class GpuModelCheck : IFeasibilityCheck
{
    public static bool Holds(GpuRequest want, IReadOnlyList<GpuInfo> free) => want.Count == 0 || CountOfModel(want, free) >= want.Count;

    public string? FirstFailure(Bid bid, Offer offer)
    {
        var want = bid.Resources.Gpu;
        var free = offer.Free.Gpus;
        if (Holds(want, free))
            return null;
        var models = string.Join(", ", free.Select(gpu => $"'{gpu.Model}'").Distinct(StringComparer.Ordinal));
        return $"gpu.model '{want.Model}': {CountOfModel(want, free)} free < {want.Count} wanted (free: {models})";
    }

    private static int CountOfModel(GpuRequest want, IReadOnlyList<GpuInfo> free)
    {
        var count = 0;
        foreach (var gpu in free)
        {
            if (ResourceVector.GpuModelMatches(gpu, want))
                count++;
        }

        return count;
    }
}

/// <summary>Enough free GPUs of the wanted model have the wanted memory each.</summary>
public sealed class GpuMemoryCheck : IFeasibilityCheck
{
    public static bool Holds(GpuRequest want, IReadOnlyList<GpuInfo> free)
    {
        if (want.Count == 0)
            return true;
        var count = 0;
        foreach (var gpu in free)
        {
            if (ResourceVector.GpuSatisfies(gpu, want))
                count++;
        }

        return count >= want.Count;
    }

    public string? FirstFailure(Bid bid, Offer offer)
    {
        var want = bid.Resources.Gpu;
        if (Holds(want, offer.Free.Gpus))
            return null;

        // The memory of the count-th largest GPU of the model: the GPU that falls short.
        var memories = offer.Free.Gpus.Where(gpu => ResourceVector.GpuModelMatches(gpu, want)).Select(gpu => gpu.MemoryBytes)
            .OrderDescending().ToList();
        var shortfall = memories.Count >= want.Count ? memories[want.Count - 1] : 0;
        return $"gpu.memory {Quantities.FormatBytes(shortfall)} < {Quantities.FormatBytes(want.MemoryBytes)}";
    }
}

/// <summary>The provider's ask for this job (on the GPUs it would get) is at most the job's max price per hour.</summary>
public sealed class PriceCheck : IFeasibilityCheck
{
    public static bool Holds(TokenAmount ask, TokenAmount maxPerHour) => ask.BaseUnits <= maxPerHour.BaseUnits;

    public string? FirstFailure(Bid bid, Offer offer)
    {
        if (offer.Free.PickGpus(bid.Resources.Gpu, offer.Prices) is not { } gpus)
            return null;
        if (!offer.Prices.TryQuote(bid.Resources, gpus, out var ask))
            return $"price overflows a token amount (max {bid.MaxPricePerHour} per hour)";
        return Holds(ask, bid.MaxPricePerHour) ? null : $"price {ask} > max {bid.MaxPricePerHour} per hour";
    }
}
