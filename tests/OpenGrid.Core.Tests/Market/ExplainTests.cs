using OpenGrid.Core.Market;
using static OpenGrid.Core.Tests.Market.MarketFixtures;

namespace OpenGrid.Core.Tests.Market;

/// <summary>What <c>og plan</c> shows: the providers that could take a job, its cost range, and why the others cannot.</summary>
public class ExplainTests
{
    [Fact]
    public void Feasible_providers_come_best_first_with_their_ask_and_cost_for_the_full_timeout()
    {
        // 2 cores, 4Gi for 90 minutes: 0.06 an hour at testnet prices, 0.09 over the timeout.
        var bid = ABid(1, Request(2 * Cores, 4 * Gi)) with { Duration = TimeSpan.FromMinutes(90) };
        var dear = PriceList.Testnet with { PerCpuCoreHour = Tokens("0.05") };
        var offers = new[] { AnOffer(1) with { Prices = dear }, AnOffer(2) };

        var explanation = new Matcher().Explain(bid, offers);

        Assert.Equal(
            [
                new FeasibleProvider(Provider(2), "provider-2", Tokens("0.06"), Tokens("0.09")),
                new FeasibleProvider(Provider(1), "provider-1", Tokens("0.12"), Tokens("0.18")),
            ],
            explanation.Feasible);
        Assert.Equal(new CostRange(Tokens("0.06"), Tokens("0.12"), Tokens("0.09"), Tokens("0.18"), TimeSpan.FromMinutes(90)), explanation.Cost);
        Assert.Empty(explanation.Rejected);
    }

    [Fact]
    public void Every_other_provider_is_listed_with_the_first_requirement_it_fails()
    {
        var bid = ABid(1, Request(2 * Cores, 8 * Gi)) with { Region = "eu-west", MaxPricePerHour = Tokens("0.05") };
        var offers = new[]
        {
            AnOffer(1, Vector(8 * Cores, 4 * Gi)),
            AnOffer(2) with { Region = "us-east" },
            AnOffer(3),
        };

        var explanation = new Matcher().Explain(bid, offers);

        Assert.Empty(explanation.Feasible);
        Assert.Null(explanation.Cost);
        Assert.Equal(
            [
                new RejectedProvider(Provider(1), "provider-1", "memory 8Gi > 4Gi free"),
                new RejectedProvider(Provider(2), "provider-2", "region 'us-east' is not 'eu-west'"),
                new RejectedProvider(Provider(3), "provider-3", "price 0.080000 > max 0.050000 per hour"),
            ],
            explanation.Rejected);
    }
}
