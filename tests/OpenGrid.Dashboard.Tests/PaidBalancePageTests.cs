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
        await page.GetByTestId("withdraw-form").GetByRole(AriaRole.Button, new() { Name = "Show the og command instead" }).ClickAsync();
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

        // A valid amount gives the command that signs and sends it with the user's key, as the alternative to signing here.
        await deposit.FillAsync("15.25");
        await page.GetByTestId("deposit-form").GetByRole(AriaRole.Button, new() { Name = "Show the og command instead" }).ClickAsync();
        await Expect(page.GetByTestId("deposit-error")).ToBeEmptyAsync();
        await Expect(page.GetByTestId("deposit-command").Locator("code")).ToHaveTextAsync($"og deposit 15.25 --coordinator {grid.Coordinator}");
        await withdraw.FillAsync("1.5");
        await page.GetByTestId("withdraw-form").GetByRole(AriaRole.Button, new() { Name = "Show the og command instead" }).ClickAsync();
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

    [Fact]
    public async Task Deposit_and_withdraw_are_signed_in_the_page_relayed_by_the_coordinator_and_listed_in_the_history()
    {
        var account = TestAccount.Create(grid.Data);
        var stranger = TestAccount.Create(grid.Data);
        var chain = await grid.ContractsForAsync(account); // ETH for gas; the page pays it from the account
        await chain.Token.MintAsync(account.Address, Usdc(5_000_000), None);
        var before = (await chain.Escrow.GetBalancesAsync(account.Address, None)).Available.BaseUnits;

        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await tab.SignInAsync(account);
        await page.GotoAsync("/ui/balance");
        await Expect(page.GetByTestId("amount-wallet")).ToHaveTextAsync("5.000000");
        await Expect(page.GetByTestId("history")).ToContainTextAsync("No deposits, withdrawals or payments yet.");
        var key = page.GetByLabel("Your account key (signs the transactions)");
        var deposit = page.GetByTestId("deposit-form");

        // Another account's key does not sign for this one: refused on the page, nothing signed or sent.
        await key.FillAsync(stranger.PrivateKeyHex);
        await page.GetByLabel("Amount to deposit (USDC)").FillAsync("1");
        await deposit.GetByRole(AriaRole.Button, new() { Name = "Deposit" }).ClickAsync();
        await Expect(page.GetByTestId("signing-key-error")).ToContainTextAsync($"but you are signed in as {account.Address}");
        await Expect(page.GetByTestId("deposit-steps")).ToBeEmptyAsync();

        // The approval, then the deposit, each signed here and relayed; the escrow grows by exactly 1 USDC.
        await key.FillAsync(account.PrivateKeyHex);
        await deposit.GetByRole(AriaRole.Button, new() { Name = "Deposit" }).ClickAsync();
        await Expect(page.GetByTestId("deposit-step-approve")).ToHaveAttributeAsync("data-state", "done");
        await Expect(page.GetByTestId("deposit-step-deposit")).ToHaveAttributeAsync("data-state", "done");
        await Expect(key).ToHaveValueAsync("");
        var depositTx = await page.GetByTestId("deposit-tx-deposit").TextContentAsync();
        Assert.Matches("^0x[0-9a-f]{64}$", depositTx);
        await Expect(page.GetByTestId("amount-available")).ToHaveTextAsync("1.000000");
        await Expect(page.GetByTestId("amount-wallet")).ToHaveTextAsync("4.000000");
        Assert.Equal(before + 1_000_000, (await chain.Escrow.GetBalancesAsync(account.Address, None)).Available.BaseUnits);
        var history = page.GetByTestId("history-table");
        await Expect(history.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(history.Locator("tbody tr").First).ToContainTextAsync("Deposited");
        await Expect(history.Locator("tbody tr").First).ToContainTextAsync("1.000000 USDC");
        await Expect(history.Locator($"code[title='{depositTx}']")).ToHaveCountAsync(1);
        await tab.ScreenshotAsync("balance-deposited");

        // A withdrawal of part of it: the wallet grows by exactly that, and the history shows it first.
        await key.FillAsync(account.PrivateKeyHex);
        await page.GetByLabel("Amount to withdraw (USDC)").FillAsync("0.4");
        await page.GetByTestId("withdraw-form").GetByRole(AriaRole.Button, new() { Name = "Withdraw" }).ClickAsync();
        await Expect(page.GetByTestId("withdraw-step-withdraw")).ToHaveAttributeAsync("data-state", "done");
        await Expect(page.GetByTestId("amount-wallet")).ToHaveTextAsync("4.400000");
        await Expect(page.GetByTestId("amount-available")).ToHaveTextAsync("0.600000");
        Assert.Equal(4_400_000, (await chain.Token.BalanceOfAsync(account.Address, None)).BaseUnits);
        await Expect(history.Locator("tbody tr")).ToHaveCountAsync(2);
        await Expect(history.Locator("tbody tr").First).ToContainTextAsync("Withdrawn");
        await Expect(history.Locator("tbody tr").First).ToContainTextAsync("0.400000 USDC");

        // Withdrawing more than is available is stopped on the page, before anything is signed.
        await page.GetByLabel("Amount to withdraw (USDC)").FillAsync("0.600001");
        await page.GetByTestId("withdraw-form").GetByRole(AriaRole.Button, new() { Name = "Withdraw" }).ClickAsync();
        await Expect(page.GetByTestId("withdraw-error")).ToHaveTextAsync("escrow has 0.600000 USDC available; withdraw at most that");

        await tab.AssertControlsLabelledAsync("/ui/balance after relayed transactions");
        await tab.ScreenshotAsync("balance-relayed");
        await page.SetViewportSizeAsync(Widths.Phone, 844);
        await tab.AssertNoHorizontalOverflowAsync("/ui/balance with its history at phone width");
        await tab.ScreenshotAsync("balance-relayed");
        tab.AssertNoScriptErrors("the balance page signing transactions");
    }

    private static TokenAmount Usdc(long baseUnits) => TokenAmount.FromBaseUnits(baseUnits);
}
