using FsCheck;
using FsCheck.Xunit;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Core.Tests.Jobs;

/// <summary>
/// The cap of a lease under a job authorization that earlier leases already drew on (<see cref="JobBudget.CapWithin"/>),
/// and the seconds a cap pays for (<see cref="JobBudget.SecondsWithin"/>). Amounts in base units.
/// </summary>
public sealed class JobBudgetTests
{
    // 3.60 USDC per hour: 1_000 base units a second; a 10-minute lease's full cap is 600_000.
    private static readonly TokenAmount Rate = TokenAmount.FromBaseUnits(3_600_000);
    private static readonly TokenAmount FullCap = JobBudget.LeaseCap(Rate, TimeSpan.FromMinutes(10));

    [Fact]
    public void A_lease_gets_its_full_cap_while_the_authorization_has_that_much_left()
    {
        Assert.Equal(600_000, FullCap.BaseUnits);
        Assert.Equal(FullCap, JobBudget.CapWithin(FullCap, Rate, Units(600_000), Units(0)));
        Assert.Equal(FullCap, JobBudget.CapWithin(FullCap, Rate, Units(1_000_000), Units(400_000)));
    }

    [Fact]
    public void A_retry_after_an_attempt_that_was_paid_gets_what_the_authorization_has_left()
    {
        // The lost attempt was paid 42 s (42_000) and closed: the job's leases hold that, so 558_000 is left.
        Assert.Equal(Units(558_000), JobBudget.CapWithin(FullCap, Rate, Units(600_000), Units(42_000)));
    }

    [Fact]
    public void Nothing_opens_when_what_is_left_does_not_pay_one_second()
    {
        Assert.Null(JobBudget.CapWithin(FullCap, Rate, Units(600_000), Units(600_000)));
        Assert.Null(JobBudget.CapWithin(FullCap, Rate, Units(600_000), Units(599_001)));
        Assert.Equal(Units(1_000), JobBudget.CapWithin(FullCap, Rate, Units(600_000), Units(599_000)));
        // committedOf above maxTotal (the escrow never allows it) leaves nothing rather than a negative cap.
        Assert.Null(JobBudget.CapWithin(FullCap, Rate, Units(600_000), Units(700_000)));
    }

    [Fact]
    public void At_a_rate_below_one_unit_a_second_one_base_unit_is_the_least_cap()
    {
        var slow = Units(7);

        Assert.Equal(Units(1), JobBudget.MinimumCap(slow));
        Assert.Equal(Units(1), JobBudget.CapWithin(Units(10), slow, Units(10), Units(9)));
        Assert.Null(JobBudget.CapWithin(Units(10), slow, Units(10), Units(10)));
    }

    [Theory]
    [InlineData(3_600_000, 600_000, 600)]
    [InlineData(3_600_000, 558_999, 558)]
    [InlineData(500_000, 83_333, 600)]   // 0.50/h: 600 s pay 83_333.3, rounded down to the cap; 601 s would pay 83_472
    [InlineData(7, 1, 1_028)]            // 7 an hour: up to 1_028 s pay 1 unit (rounded down), 1_029 s pay 2
    [InlineData(1, 0, 3_599)]
    [InlineData(0, 100, 0)]
    public void The_seconds_a_cap_buys_are_the_most_whose_pay_stays_within_it(long rate, long cap, ulong seconds)
    {
        Assert.Equal(seconds, JobBudget.SecondsWithin(Units(rate), Units(cap)));
    }

    [Property(MaxTest = 500)]
    public void A_lease_opened_with_the_cap_within_never_takes_the_job_over_its_total_nor_pays_past_its_cap(
        PositiveInt rateUnits, PositiveInt timeoutSeconds, NonNegativeInt committedUnits, PositiveInt leases)
    {
        var rate = Units(rateUnits.Get);
        var full = JobBudget.LeaseCap(rate, TimeSpan.FromSeconds(timeoutSeconds.Get % 86_400 + 1));
        var maxTotal = Units(full.BaseUnits * (leases.Get % 5 + 1));
        // From nothing to a little above the total (the escrow never allows that; the rule must not open then either).
        var committed = Units(Math.Max(0, maxTotal.BaseUnits * (committedUnits.Get % 12) / 10 - committedUnits.Get % 3));

        var cap = JobBudget.CapWithin(full, rate, maxTotal, committed);

        if (cap is { } c)
        {
            Assert.InRange(c.BaseUnits, JobBudget.MinimumCap(rate).BaseUnits, full.BaseUnits);
            Assert.True(committed.BaseUnits + c.BaseUnits <= maxTotal.BaseUnits, $"{committed} + {c} > {maxTotal}");
            var seconds = JobBudget.SecondsWithin(rate, c);
            Assert.True(seconds >= 1, $"a cap of {c} at {rate}/h buys no second");
            Assert.True(JobBudget.PayFor(rate, seconds).BaseUnits <= c.BaseUnits, $"{seconds} s pays more than the cap {c}");
            Assert.True(JobBudget.PayFor(rate, seconds + 1).BaseUnits > c.BaseUnits, $"{seconds + 1} s would still fit in the cap {c}");
        }
        else
        {
            Assert.True(maxTotal.BaseUnits - committed.BaseUnits < JobBudget.MinimumCap(rate).BaseUnits,
                $"{maxTotal} − {committed} is enough for a second at {rate}/h, yet no cap");
        }
    }

    private static TokenAmount Units(long units) => TokenAmount.FromBaseUnits(units);
}
