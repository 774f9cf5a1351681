using OpenGrid.Core.Jobs;

namespace OpenGrid.Core.Market;

/// <summary>
/// An ask: what a provider sells now. <see cref="Free"/> is <see cref="Capacity"/> less its running leases; the
/// capabilities name runtimes (<c>runtime:process</c>) and installed apps (<c>blender</c>); reputations are 0..1;
/// <see cref="CachedInputs"/> holds the CIDs (as text) the provider has cached; a draining provider takes no new leases,
/// and neither does one that is not <see cref="Bonded"/> (with payments on, its stake in the registry is below the
/// minimum bond; without payments every provider counts as bonded).
/// </summary>
public sealed record Offer(
    Address Provider,
    string Name,
    ResourceVector Capacity,
    ResourceVector Free,
    IReadOnlySet<string> Capabilities,
    string Region,
    TimeSpan MaxJobDuration,
    PriceList Prices,
    double Reputation,
    double MinRequesterReputation,
    IReadOnlySet<string> CachedInputs,
    bool Draining,
    bool Bonded = true)
{
    /// <summary>The capability a provider advertises when it runs the <c>process</c> runtime (every v1 job needs it).</summary>
    public const string RuntimeProcess = "runtime:process";
}
