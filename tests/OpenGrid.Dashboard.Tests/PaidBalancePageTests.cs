using Microsoft.Playwright;
using OpenGrid.Core;
using static Microsoft.Playwright.Assertions;

namespace OpenGrid.Dashboard.Tests;

/// <summary>The Balance and earnings page on a grid that settles payments on a real anvil.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class PaidBalancePageTests(PaidDashboardFixture grid) : IClassFixture<PaidDashboardFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Balance_page_shows_escrow_exactly_as_the_api_writes_it_and_checks_amounts_before_giving_the_og_command()
    {
        var account = TestAccount.Create(grid.Data);
        var chain = await grid.ContractsForAsync(account);
        await chain.Token.MintAsync(account.Address, Usdc(25_500_000), None);
        await chain.Token.ApproveAsync(chain.Escrow.Address, Usdc(10_250_000), None);
        await chain.Escrow.DepositAsync(Usdc(10_250_000), None);

        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await tab.SignInAsync(account);
        await page.GotoAsync("/ui/balance");
        await Expect(page.GetByTestId("amount-available")).ToHaveTextAsync("10.250000");
        await Expect(page.GetByTestId("amount-locked")).ToHaveTextAsync("0.000000");
        await Expect(page.GetByTestId("amount-wallet")).ToHaveTextAsync("15.250000");
        await Expect(page.GetByTestId("amount-earnings")).ToHaveTextAsync("0.000000");
        await Expect(page.GetByTestId("chain")).ToContainTextAsync("31337");

        // Amounts are checked on the page: too many decimals, nothing, more than there is.
        var withdraw = page.GetByLabel("Amount to withdraw (USDC)");
        await withdraw.FillAsync("10.250001");
        await page.GetByRole(AriaRole.Button, new() { Name = "Prepare withdrawal" }).ClickAsync();
        await Expect(page.GetByTestId("withdraw-error")).ToHaveTextAsync("escrow has 10.250000 USDC available; withdraw at most that");
        await Expect(withdraw).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(withdraw).ToBeFocusedAsync();
        await Expect(page.GetByTestId("withdraw-command")).ToBeEmptyAsync();
        var deposit = page.GetByLabel("Amount to deposit (USDC)");
        await deposit.FillAsync("0.0000001");
        await deposit.PressAsync("Enter");
        await Expect(page.GetByTestId("deposit-error")).ToContainTextAsync("at most 6 decimals");
        await deposit.FillAsync("");
        await deposit.PressAsync("Enter");
        await Expect(page.GetByTestId("deposit-error")).ToContainTextAsync("enter an amount");

        // A valid amount gives the command that signs and sends it with the user's key.
        await deposit.FillAsync("15.25");
        await deposit.PressAsync("Enter");
        await Expect(page.GetByTestId("deposit-error")).ToBeEmptyAsync();
        await Expect(page.GetByTestId("deposit-command").Locator("code")).ToHaveTextAsync($"og deposit 15.25 --coordinator {grid.Coordinator}");
        await withdraw.FillAsync("1.5");
        await withdraw.PressAsync("Enter");
        await Expect(page.GetByTestId("withdraw-command").Locator("code")).ToHaveTextAsync($"og withdraw 1.5 --coordinator {grid.Coordinator}");
        await tab.ScreenshotAsync("balance-paid");

        // The withdrawal made elsewhere (as og withdraw would) shows on Refresh, without a reload and keeping the form.
        await tab.MarkDocumentAsync();
        await chain.Escrow.WithdrawAsync(Usdc(1_500_000), None);
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        await Expect(page.GetByTestId("amount-available")).ToHaveTextAsync("8.750000");
        await Expect(page.GetByTestId("amount-wallet")).ToHaveTextAsync("16.750000");
        await Expect(withdraw).ToHaveValueAsync("1.5");
        await tab.AssertNotReloadedAsync();

        await page.SetViewportSizeAsync(Widths.Phone, 844);
        await tab.AssertNoHorizontalOverflowAsync("/ui/balance with payments at phone width");
        await tab.AssertControlsLabelledAsync("/ui/balance with payments");
        await tab.ScreenshotAsync("balance-paid");
        tab.AssertNoScriptErrors("the balance page");
    }

    private static TokenAmount Usdc(long baseUnits) => TokenAmount.FromBaseUnits(baseUnits);
}
