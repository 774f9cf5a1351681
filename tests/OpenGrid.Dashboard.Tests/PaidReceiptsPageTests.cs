using OpenGrid.Core;
using OpenGrid.Testing;
using static Microsoft.Playwright.Assertions;

namespace OpenGrid.Dashboard.Tests;

/// <summary>Job detail on a grid that settles payments on a real anvil: receipts signed in the chain's domain and
/// what the escrow released on chain beside the page's estimate.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class PaidReceiptsPageTests(PaidDashboardFixture grid) : IClassFixture<PaidDashboardFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Job_detail_checks_receipts_signed_for_the_chain_and_shows_what_the_escrow_released()
    {
        var account = TestAccount.Create(grid.Data);
        var chain = await grid.ContractsForAsync(account);
        var deposit = TokenAmount.FromBaseUnits(1_000_000);
        await chain.Token.MintAsync(account.Address, deposit, None);
        await chain.Token.ApproveAsync(chain.Escrow.Address, deposit, None);
        await chain.Escrow.DepositAsync(deposit, None);
        var client = account.Client(grid.Coordinator);
        var job = await GridJobs.RunHelloAsync(client);

        // Settlement runs in the background after the job ends: wait until the pack lists the release.
        long released = 0;
        await WaitFor.ConditionAsync(async () =>
        {
            var pack = await client.GetProofAsync(job.Id, None);
            released = (pack.Settlements ?? []).Where(t => t.Kind == "release").Sum(t => long.Parse(t.Amount, System.Globalization.CultureInfo.InvariantCulture));
            return released > 0;
        }, TimeSpan.FromSeconds(60), $"the release of job {job.Id}'s escrow lease");

        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await tab.SignInAsync(account);
        await page.GotoAsync($"/ui/jobs/{job.Id}");
        await Expect(page.GetByTestId("verdict")).ToHaveTextAsync("accepted");
        await Expect(page.GetByTestId("verdict-facts")).ToContainTextAsync("chain 31337");
        await Expect(page.GetByTestId("receipts-table").Locator("tbody tr td[data-label=Signature]")).ToHaveTextAsync("signature ✓");
        await Expect(page.GetByTestId("cost-settled")).ToContainTextAsync($"{TokenAmount.FromBaseUnits(released)} USDC in 1 transaction");
        await Expect(page.GetByTestId("payments-off")).ToHaveCountAsync(0);
        await tab.ScreenshotAsync("job-receipts-paid");
        tab.AssertNoScriptErrors("the job detail page with payments");
    }
}
