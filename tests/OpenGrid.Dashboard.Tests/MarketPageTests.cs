using System.Globalization;
using System.Net.Http.Json;
using OpenGrid.Protocol;
using OpenGrid.Testing;
using static Microsoft.Playwright.Assertions;

namespace OpenGrid.Dashboard.Tests;

/// <summary>The public Market page: order book depth as a bar chart and a table, clearing prices as a chart and a table.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class MarketPageTests(DashboardFixture grid)
{
    [Fact]
    public async Task Market_page_charts_both_providers_asks_and_adds_a_new_match_price_without_reload()
    {
        var providers = (await grid.Http.GetFromJsonAsync("v1/providers", OpenGridJsonContext.Default.ProviderListView))!.Providers;
        var lowestAsk = providers.Select(p => p.Terms!.Prices.PerCpuCoreHour)
            .MinBy(text => decimal.Parse(text, CultureInfo.InvariantCulture))!;

        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await page.GotoAsync("/ui/market");

        // Nobody is signed in: the page is public. Both providers offer CPU; the bar and the table say so.
        var offers = page.Locator("[data-testid=chart-bar][data-category=cpu][data-series^=Offers]");
        await Expect(offers).ToHaveAttributeAsync("data-value", "2");
        await Expect(page.GetByRole(Microsoft.Playwright.AriaRole.Img, new() { Name = "Order book depth" }))
            .ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("cpu, \\d+ jobs? waiting, 2 offers"));
        var cpuRow = page.GetByTestId("depth-table").Locator("tbody tr").Filter(new() { HasText = "cpu" });
        await Expect(cpuRow.Locator("td[data-label=Offers]")).ToHaveTextAsync("2");
        await Expect(cpuRow.Locator("td[data-label='Lowest ask']")).ToHaveTextAsync($"{lowestAsk} USDC per core-hour");
        await tab.MarkDocumentAsync();

        // A job matched while the page is open: its clearing price appears with the next refresh.
        var account = TestAccount.Create(grid.Data);
        var job = await GridJobs.RunAsync(account.Client(grid.Coordinator), JobSpecs.Shell("priced", "echo priced"));
        var attempt = job.Attempts.Single();
        var matchedAt = attempt.AssignedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var row = page.GetByTestId("clearing-table").Locator("tbody tr").Filter(new() { Has = page.Locator($"time[datetime='{matchedAt}']") });
        await Expect(row.Locator("td[data-label='Price per hour']")).ToHaveTextAsync($"{attempt.PricePerHour} USDC");
        await Expect(page.GetByTestId("market-prices").GetByTestId("chart-point").First).ToBeVisibleAsync();
        await tab.AssertNotReloadedAsync();
        await tab.ScreenshotAsync("market-with-prices");
        tab.AssertNoScriptErrors("the market page");
    }
}
