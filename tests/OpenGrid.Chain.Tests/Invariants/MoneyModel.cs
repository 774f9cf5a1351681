namespace OpenGrid.Chain.Tests.Invariants;

/// <summary>
/// The escrow's and registry's rules written plainly, independent of the contracts: what every step should do,
/// or which error it should revert with. Counters (deposited, withdrawn, released, refunded, fees) exist only
/// here, so the invariants compare two independent bookkeepings.
/// </summary>
public sealed class MoneyModel
{
    public const long MinBond = Evm.EscrowWorld.MinBond;

    /// <summary>maxTotal of job 0's authorization; job 1 has no total limit.</summary>
    public const long JobBudget = 3_000_000;

    /// <summary>maxRatePerHour of job 1's authorization; job 0 allows every generated rate.</summary>
    public const long JobMaxRate = 22_500;

    public sealed class Lease
    {
        public required int Requester { get; init; }
        public required int Provider { get; init; }
        public required long RatePerHour { get; init; }
        public required long Cap { get; init; }
        public required int Job { get; init; }
        public long Released { get; set; }
        public ulong PaidSeconds { get; set; }
        public byte Status { get; set; } = 1; // 1 open, 2 completed, 3 closed
        public long Refunded { get; set; }
        public long Fees { get; set; }
    }

    public long[] Available { get; } = new long[2];
    public long[] Locked { get; } = new long[2];
    public long[] Deposited { get; } = new long[2];
    public long[] Withdrawn { get; } = new long[2];
    public long[] ReleasedFrom { get; } = new long[2];
    /// <summary>Earnings of provider 0, provider 1 and the treasury (index 2), and what each has withdrawn.</summary>
    public long[] Earnings { get; } = new long[3];
    public long[] EarningsWithdrawn { get; } = new long[3];
    public long FeesTotal { get; set; }
    public Dictionary<int, Lease> Leases { get; } = [];

    /// <summary>What each (requester, job)'s leases hold: Σ (cap − refund), i.e. locked + released (JobEscrow.committedOf).</summary>
    public Dictionary<(int Requester, int Job), long> Committed { get; } = [];

    public static long MaxTotalOf(int job) => job == 0 ? JobBudget : long.MaxValue;

    public static long MaxRateOf(int job) => job == 1 ? JobMaxRate : long.MaxValue;

    public long[] Bonded { get; } = new long[2];
    public long[] Unbonding { get; } = new long[2];
    /// <summary>Compensation owed to requester 0, requester 1 and the treasury (index 2), and what was withdrawn.</summary>
    public long[] Compensation { get; } = new long[3];
    public long[] CompensationWithdrawn { get; } = new long[3];
    public long SlashedTotal { get; set; }

    public static long PayFor(long ratePerHour, ulong seconds) => (long)((UInt128)seconds * (ulong)ratePerHour / 3600);

    public static long Fee(long released) => released / 100;

    /// <summary>Seconds after which a lease's pay would exceed its cap.</summary>
    public static ulong SecondsToCap(Lease l) => (ulong)(((UInt128)(ulong)l.Cap * 3600 + (ulong)l.RatePerHour - 1) / (ulong)l.RatePerHour);

    public void AssertNoNegative()
    {
        foreach (var v in Available.Concat(Locked).Concat(Earnings).Concat(Bonded).Concat(Unbonding).Concat(Compensation))
            Assert.True(v >= 0, "a model balance went negative");
    }
}
