using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OpenGrid.Chain.Escrow;
using OpenGrid.Chain.Tests.Evm;
using OpenGrid.Core;

namespace OpenGrid.Chain.Tests;

/// <summary>The off-chain mirror of the escrow's arithmetic agrees with the contract, and the fee rule is exact.</summary>
public class EscrowRulesTests
{
    private static TokenAmount Units(long units) => TokenAmount.FromBaseUnits(units);

    [Fact]
    public void Pay_is_rate_times_seconds_over_an_hour_rounded_down()
    {
        Assert.Equal(Units(138), EscrowRules.PayFor(Units(500_000), 1)); // 0.50 USDC/h for 1 s = 138.9 units
        Assert.Equal(Units(500_000), EscrowRules.PayFor(Units(500_000), 3600));
        Assert.Equal(Units(0), EscrowRules.PayFor(Units(3599), 1));
    }

    [Fact]
    public void The_fee_is_one_percent_rounded_down_and_a_release_pays_its_increase()
    {
        Assert.Equal(Units(0), EscrowRules.FeeOn(Units(99)));
        Assert.Equal(Units(1), EscrowRules.FeeOn(Units(199)));
        Assert.Equal(Units(1), EscrowRules.FeeForRelease(Units(199), Units(200)));
        Assert.Equal(Units(0), EscrowRules.FeeForRelease(Units(100), Units(199)));
    }

    [Fact]
    public void The_cap_for_a_timeout_covers_every_second_of_it()
    {
        Assert.Equal(Units(500_000), EscrowRules.CapFor(Units(500_000), TimeSpan.FromHours(1)));
        Assert.Equal(Units(1), EscrowRules.CapFor(Units(3600), TimeSpan.FromMilliseconds(500)));
    }

    [Property(MaxTest = 300)]
    public Property Fees_over_any_split_of_a_lease_sum_to_one_percent_of_its_total_rounded_down() =>
        Prop.ForAll(Gen.ListOf(Gen.Choose(0, 1_000_000)).ToArbitrary(), parts =>
        {
            long released = 0, fees = 0;
            foreach (var part in parts)
            {
                fees += EscrowRules.FeeForRelease(Units(released), Units(released + part)).BaseUnits;
                released += part;
            }
            return fees == released / 100;
        });

    [Fact]
    public async Task The_contract_computes_pay_and_fees_exactly_as_the_mirror()
    {
        var w = await EscrowWorld.CreateAsync();
        var samples = Gen.Zip(Gen.Choose(1, int.MaxValue), Gen.Choose(0, int.MaxValue)).Sample(200, 100);
        foreach (var (rate, seconds) in samples.Append((1, 1)).Append((int.MaxValue, int.MaxValue)))
        {
            var pay = await w.Chain.CallAsync<PayForFunction, BigInteger>(w.Escrow, new() { RatePerHour = rate, VerifiedSeconds = (ulong)seconds });
            Assert.Equal(EscrowRules.PayFor(Units(rate), (ulong)seconds).BaseUnits, (long)pay);
            var fee = await w.Chain.CallAsync<FeeOnFunction, BigInteger>(w.Escrow, new() { Released = pay });
            Assert.Equal(EscrowRules.FeeOn(Units((long)pay)).BaseUnits, (long)fee);
        }
    }
}
