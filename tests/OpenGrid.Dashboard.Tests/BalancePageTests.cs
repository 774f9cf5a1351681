using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OpenGrid.Dashboard.Tests;

/// <summary>The Balance and earnings page on a grid whose coordinator settles no payments.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class BalancePageTests(DashboardFixture grid)
{
    [Fact]
    public async Task Balance_page_explains_that_payments_are_off_instead_of_showing_an_error()
    {
        var account = TestAccount.Create(grid.Data);
        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await page.GotoAsync("/ui/balance");
        await Expect(page.GetByTestId("sign-in-required")).ToContainTextAsync("see your balance and earnings");

        await tab.SignInAsync(account);
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Balance" }).ClickAsync();
        var off = page.GetByTestId("payments-off");
        await Expect(off.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Payments are off on this coordinator");
        await Expect(off).ToContainTextAsync("Coordinator:Chain:RpcUrl");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Refresh" })).ToBeHiddenAsync();

        // The provider's word for the same page leads there too.
        await page.GotoAsync("/ui/earnings");
        await Expect(page.GetByTestId("payments-off")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Balance" })).ToHaveAttributeAsync("aria-current", "page");
        tab.AssertNoScriptErrors("the balance page");
    }
}
