using OpenGrid.Core;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Chain.Escrow;

/// <summary>
/// The escrow's money rules, mirrored off-chain so the coordinator can predict every amount exactly (and tests
/// can check the contract against them). Must match contracts/JobEscrow.sol.
/// </summary>
public static class EscrowRules
{
    /// <summary>Protocol fee in basis points: 1%.</summary>
    public const long FeeBps = 100;
    public const long Bps = 10_000;

    /// <summary>Pay for <paramref name="verifiedSeconds"/> of use at a rate per hour: rounded down.</summary>
    public static TokenAmount PayFor(TokenAmount ratePerHour, ulong verifiedSeconds) => JobBudget.PayFor(ratePerHour, verifiedSeconds);

    /// <summary>The fee on everything a lease has released so far: 1% rounded down.</summary>
    public static TokenAmount FeeOn(TokenAmount released) => TokenAmount.FromBaseUnits(released.BaseUnits * FeeBps / Bps);

    /// <summary>The fee taken by one release that moves a lease's released total from <paramref name="before"/>
    /// to <paramref name="after"/>: the increase of <see cref="FeeOn"/>.</summary>
    public static TokenAmount FeeForRelease(TokenAmount before, TokenAmount after) =>
        TokenAmount.FromBaseUnits(FeeOn(after).BaseUnits - FeeOn(before).BaseUnits);

    /// <summary>The worst-case cap for a lease: pay for the whole timeout at the rate (<see cref="JobBudget.LeaseCap"/>).</summary>
    public static TokenAmount CapFor(TokenAmount ratePerHour, TimeSpan timeout) => JobBudget.LeaseCap(ratePerHour, timeout);
}
