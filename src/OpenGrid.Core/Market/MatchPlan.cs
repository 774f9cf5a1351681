using OpenGrid.Core.Jobs;
using OpenGrid.Core.Scheduling;

namespace OpenGrid.Core.Market;

/// <summary>
/// One placement: <see cref="Job"/> runs on <see cref="Provider"/>, which is paid its ask for the job,
/// <see cref="PricePerHour"/> (token base units per hour, never above the bid's max). <see cref="Gpus"/> are the
/// provider's GPUs it leases (the instances from the offer's free vector; empty for a CPU job).
/// </summary>
public sealed record Match(JobId Job, Address Provider, TokenAmount PricePerHour)
{
    public IReadOnlyList<GpuInfo> Gpus { get; init; } = [];
}

/// <summary>A bid that reached its deadline without a match, and why, for the job's failure message.</summary>
public sealed record Expiry(JobId Job, string Reason);

/// <summary>
/// The outcome of one matching round: placements in bid priority order (a job with several replicas has one match
/// per provider), and the bids that expired. A bid in neither stays in the book for the next round.
/// </summary>
public sealed record MatchPlan(IReadOnlyList<Match> Matches, IReadOnlyList<Expiry> Expired);
