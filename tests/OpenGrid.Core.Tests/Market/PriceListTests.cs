using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OpenGrid.Core.Market;
using OpenGrid.Core.Scheduling;
using OpenGrid.Core.Specs;
using static OpenGrid.Core.Tests.Market.MarketFixtures;

namespace OpenGrid.Core.Tests.Market;

/// <summary>Quotes are exact integer arithmetic in base units, rounded up once, in the provider's favour.</summary>
public class PriceListTests
{
    private static readonly GpuInfo A100 = new("a100", 80 * Gi);
    private static readonly GpuInfo T4 = new("t4", 16 * Gi);

    [Fact]
    public void Testnet_prices_are_the_documented_ones()
    {
        var prices = FixedPriceList.Default.Prices(Vector(8 * Cores, 32 * Gi), Set());

        Assert.Equal(Tokens("0.02"), prices.PerCpuCoreHour);
        Assert.Equal(Tokens("0.005"), prices.PerMemoryGiBHour);
        Assert.Equal(Tokens("0"), prices.PerDiskGiBHour);
        Assert.Equal(Tokens("0.50"), prices.PerGpuHourDefault);
        Assert.Empty(prices.PerGpuHourByModel);
    }

    [Fact]
    public void Default_job_costs_exactly_its_cpu_and_memory_at_testnet_prices()
    {
        // 1 core × 0.02 + 0.5Gi × 0.005 + disk free = 0.0225 an hour.
        Assert.Equal(Tokens("0.0225"), PriceList.Testnet.Quote(ResourceRequest.Default, []));
    }

    [Fact]
    public void Fractions_of_a_base_unit_round_up_in_the_providers_favour()
    {
        var prices = Prices(perCore: 1, perMemoryGiB: 0, perDiskGiB: 0);

        Assert.Equal(TokenAmount.FromBaseUnits(1), prices.Quote(Request(1, 0, 0), []));
        Assert.Equal(TokenAmount.FromBaseUnits(1), prices.Quote(Request(1000, 0, 0), []));
        Assert.Equal(TokenAmount.FromBaseUnits(2), prices.Quote(Request(1001, 0, 0), []));
        Assert.Equal(TokenAmount.FromBaseUnits(0), prices.Quote(Request(0, 0, 0), []));
    }

    [Fact]
    public void Rounding_happens_once_at_the_end_not_per_resource()
    {
        // Half a unit of CPU and half a unit of memory is exactly one unit; rounding each part would make it two.
        var prices = Prices(perCore: 1, perMemoryGiB: 1, perDiskGiB: 1);

        Assert.Equal(TokenAmount.FromBaseUnits(1), prices.Quote(Request(500, 512 * Mi, 0), []));
        Assert.Equal(TokenAmount.FromBaseUnits(2), prices.Quote(Request(500, 512 * Mi, 1), []));
    }

    [Fact]
    public void Gpus_are_priced_by_model_else_by_the_default()
    {
        var prices = PriceList.Testnet with
        {
            PerGpuHourByModel = new Dictionary<string, TokenAmount> { ["a100"] = Tokens("2.00") },
        };
        var twoGpus = Request(0, 0, 0, new GpuRequest(2, null, 0));

        Assert.Equal(Tokens("2.50"), prices.Quote(twoGpus, [A100, T4]));
        Assert.Equal(Tokens("4.00"), prices.Quote(twoGpus, [A100, A100]));
    }

    [Fact]
    public void Quoting_a_gpu_job_without_its_gpus_is_a_bug()
    {
        Assert.Throws<ArgumentException>(() => PriceList.Testnet.Quote(Request(1000, Gi, 0, new GpuRequest(1, null, 0)), []));
    }

    [Fact]
    public void A_price_that_does_not_fit_a_token_amount_overflows_instead_of_wrapping()
    {
        var prices = Prices(perCore: long.MaxValue / 2, perMemoryGiB: 0, perDiskGiB: 0);

        Assert.False(prices.TryQuote(Request(3000, 0, 0), [], out _));
        Assert.Throws<OverflowException>(() => prices.Quote(Request(3000, 0, 0), []));
        Assert.True(prices.TryQuote(Request(1000, 0, 0), [], out var oneCore));
        Assert.Equal(long.MaxValue / 2, oneCore.BaseUnits);
    }

    [Fact]
    public void Negative_prices_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Prices(perCore: -1, perMemoryGiB: 0, perDiskGiB: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PriceList(
            Tokens("0.02"), Tokens("0.005"), Tokens("0"),
            new Dictionary<string, TokenAmount> { ["a100"] = TokenAmount.FromBaseUnits(-1) },
            Tokens("0.50")));
    }

    [Theory]
    [InlineData(22_500, 10 * 60, 3_750)]
    [InlineData(1, 1, 1)]
    [InlineData(3_600, 1, 1)]
    [InlineData(3_601, 1, 2)]
    [InlineData(1_000_000, 7 * 24 * 3600, 168_000_000)]
    public void Cost_over_a_duration_is_exact_and_rounds_up(long perHour, int seconds, long expected)
    {
        Assert.Equal(TokenAmount.FromBaseUnits(expected), PriceList.CostFor(TokenAmount.FromBaseUnits(perHour), TimeSpan.FromSeconds(seconds)));
    }

    [Property(MaxTest = 500)]
    public void Quote_equals_the_exact_fraction_rounded_up(NonNegativeInt cpu, NonNegativeInt memoryMi, NonNegativeInt diskMi, NonNegativeInt perCore, NonNegativeInt perGiB, NonNegativeInt perDiskGiB, bool bigValues)
    {
        // Small values and, half the time, values scaled up to exercise the 128-bit path.
        var scale = bigValues ? 1L << 20 : 1L;
        var request = Request(cpu.Get * scale, memoryMi.Get * Mi * scale / 7, diskMi.Get * Mi + 3);
        var prices = Prices(perCore.Get * scale, perGiB.Get * scale, perDiskGiB.Get);

        var numerator =
            new BigInteger(request.CpuMillis) * prices.PerCpuCoreHour.BaseUnits * PriceList.BytesPerGiB
            + (new BigInteger(request.MemoryBytes) * prices.PerMemoryGiBHour.BaseUnits
               + new BigInteger(request.DiskBytes) * prices.PerDiskGiBHour.BaseUnits) * 1000;
        var denominator = new BigInteger(1000) * PriceList.BytesPerGiB;
        var expected = (numerator + denominator - 1) / denominator;

        Assert.Equal((long)expected, prices.Quote(request, []).BaseUnits);
    }

    private static PriceList Prices(long perCore, long perMemoryGiB, long perDiskGiB) => new(
        TokenAmount.FromBaseUnits(perCore),
        TokenAmount.FromBaseUnits(perMemoryGiB),
        TokenAmount.FromBaseUnits(perDiskGiB),
        new Dictionary<string, TokenAmount>(),
        TokenAmount.FromBaseUnits(0));
}
