using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;

namespace OpenGrid.Core.Market;

/// <summary>
/// A job waiting in the order book: its resources and required capabilities, the most it pays per hour, the least
/// provider reputation (0..1) and the region it accepts (null = any), its timeout as <see cref="Duration"/>, when it
/// was submitted and by when it must start (null = no deadline), how many more distinct providers to place it on now
/// (usually 1), the providers it may not go to (they hold a replica already or failed it), its input CIDs (as text)
/// and the requester's reputation (0..1).
/// </summary>
public sealed record Bid(
    JobId Job,
    Address Requester,
    ResourceRequest Resources,
    IReadOnlyList<string> Requires,
    TokenAmount MaxPricePerHour,
    double MinProviderReputation,
    string? Region,
    TimeSpan Duration,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? Deadline,
    int ReplicasWanted,
    IReadOnlySet<Address> ExcludedProviders,
    IReadOnlyList<string> InputCids,
    double RequesterReputation);
