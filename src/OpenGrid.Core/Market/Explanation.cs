using OpenGrid.Core.Jobs;

namespace OpenGrid.Core.Market;

/// <summary>
/// Why a bid would or would not match now, for <c>og plan</c>: the feasible providers best first, every other
/// provider with the first requirement it fails, and the cost range per replica (null when none is feasible).
/// </summary>
public sealed record Explanation(
    IReadOnlyList<FeasibleProvider> Feasible,
    IReadOnlyList<RejectedProvider> Rejected,
    CostRange? Cost);

/// <summary>A provider that could take the job: its ask for it per hour, and that ask over the job's full timeout (base units).</summary>
public sealed record FeasibleProvider(Address Provider, string Name, TokenAmount PricePerHour, TokenAmount CostForTimeout);

/// <summary>A provider that could not take the job, and the first requirement it fails (<c>gpu.memory 8Gi &lt; 16Gi</c>).</summary>
public sealed record RejectedProvider(Address Provider, string Name, string Reason);

/// <summary>
/// The estimated cost of one replica over the feasible providers: the lowest and highest ask per hour, and each over
/// the full timeout (price × timeout, rounded up to a base unit). A job that ends early pays less.
/// </summary>
public sealed record CostRange(
    TokenAmount MinPerHour,
    TokenAmount MaxPerHour,
    TokenAmount MinForTimeout,
    TokenAmount MaxForTimeout,
    TimeSpan Timeout);
