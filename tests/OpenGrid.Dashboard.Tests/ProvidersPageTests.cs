using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Identity;
using static Microsoft.Playwright.Assertions;

namespace OpenGrid.Dashboard.Tests;

[Collection(nameof(DashboardCollection))]
public sealed class ProvidersPageTests(DashboardFixture grid)
{
    [Fact]
    public async Task Providers_page_is_public_and_shows_each_provider_hardware_sandbox_and_state()
    {
        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await page.GotoAsync("/ui/providers");

        var cards = page.GetByTestId("provider");
        await Expect(cards).ToHaveCountAsync(2);
        foreach (var n in new[] { 1, 2 })
        {
            var card = cards.Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = $"dashboard-provider-{n}" }) });
            await Expect(card.GetByTestId("provider-state")).ToHaveTextAsync(new Regex("^(idle|busy)$"));
            await Expect(card.GetByTestId("hardware")).ToContainTextAsync($"{Environment.ProcessorCount} core");
            await Expect(card.GetByTestId("sandbox")).ToContainTextAsync("cgroups");
        }
        await Expect(page.GetByTestId("provider-stats")).ToContainTextAsync("2providers");
        await Expect(page.GetByText("Offers and prices — not available yet")).ToBeVisibleAsync();
        await Expect(page.GetByText("Reputation over time — not available yet")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("sign-in-link")).ToBeVisibleAsync(); // nobody signed in, and the page still works
        tab.AssertNoScriptErrors("the providers page");
    }

    [Fact]
    public async Task Providers_page_shows_a_provider_draining_and_resuming_without_reload()
    {
        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await page.GotoAsync("/ui/providers");
        var card = page.GetByTestId("provider").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "dashboard-provider-1" }) });
        await Expect(card.GetByTestId("provider-state")).ToHaveTextAsync(new Regex("^(idle|busy)$"));
        await Expect(page.GetByTestId("providers-live")).ToContainTextAsync("Live");
        await tab.MarkDocumentAsync();

        // The provider's own account drains it, as `og provider drain` would.
        using var http = new HttpClient { BaseAddress = grid.Coordinator };
        var provider = new OpenGridClient(http, KeyStore.LoadOrCreate(grid.Data.Combine("provider-1")));
        try
        {
            await provider.DrainAsync(true, CancellationToken.None);
            await Expect(card.GetByTestId("provider-state")).ToHaveTextAsync("draining");
        }
        finally
        {
            await provider.DrainAsync(false, CancellationToken.None);
        }
        await Expect(card.GetByTestId("provider-state")).ToHaveTextAsync(new Regex("^(idle|busy)$"));
        await tab.AssertNotReloadedAsync();
        tab.AssertNoScriptErrors("the providers page");
    }
}
