using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenGrid.Core;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Testing;
using static Microsoft.Playwright.Assertions;

namespace OpenGrid.Dashboard.Tests;

/// <summary>
/// Job detail once a job ended: the provider's signed receipt from the proof pack (its signature checked in the
/// browser), the verdict, the proof pack as a download with the <c>og verify</c> command, and the cost so far.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed partial class ReceiptsPageTests(DashboardFixture grid)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Job_detail_shows_the_receipt_the_verdict_the_proof_pack_and_the_cost_of_a_finished_job()
    {
        var account = TestAccount.Create(grid.Data);
        var client = account.Client(grid.Coordinator);
        var job = await GridJobs.RunHelloAsync(client);
        var attempt = Assert.Single(job.Attempts);
        var pack = await client.GetProofAsync(job.Id, None);
        var expectedHash = ReceiptSigning.Hash(Assert.Single(pack.Attempts).Receipt.ToReceipt(out var malformed)!).ToString();
        Assert.Null(malformed);

        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await tab.SignInAsync(account);
        await page.GotoAsync($"/ui/jobs/{job.Id}");
        await Expect(page.GetByTestId("job-state")).ToHaveTextAsync("succeeded");

        var receipts = page.GetByTestId("receipts-table").Locator("tbody tr");
        await Expect(receipts).ToHaveCountAsync(1);
        var receipt = receipts.First;
        await Expect(receipt.Locator("td[data-label=Job]")).ToHaveTextAsync("this job");
        await Expect(receipt.Locator("td[data-label=Provider] code")).ToHaveAttributeAsync("title", attempt.Provider);
        await Expect(receipt.Locator("td[data-label=Attempt]")).ToHaveTextAsync(attempt.Attempt.ToString(CultureInfo.InvariantCulture));
        await Expect(receipt.Locator("td[data-label=Epoch]")).ToHaveTextAsync(attempt.Epoch.ToString(CultureInfo.InvariantCulture));
        await Expect(receipt.Locator("td[data-label=Exit]")).ToHaveTextAsync("0");
        // The browser's EIP-712 hash is the one C# computes, and the signature recovers the provider.
        await Expect(receipt.Locator("td[data-label='Receipt hash'] code")).ToHaveAttributeAsync("title", expectedHash);
        await Expect(receipt.Locator("td[data-label=Signature]")).ToHaveTextAsync("signature ✓");
        await Expect(receipt.Locator("td[data-label=Verdict]")).ToHaveTextAsync("agrees");
        await Expect(page.GetByTestId("verdict")).ToHaveTextAsync("accepted");
        await Expect(page.GetByTestId("verdict-facts").Locator("dd").Nth(1)).ToHaveTextAsync(AgreeingFirstReceipt());

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("download-proof").ClickAsync());
        Assert.Equal("proof.json", download.SuggestedFilename);
        using (var saved = JsonDocument.Parse(await File.ReadAllTextAsync((await download.PathAsync())!)))
        {
            var root = saved.RootElement;
            Assert.Equal(job.Id, root.GetProperty("jobId").GetString());
            var only = Assert.Single(root.GetProperty("attempts").EnumerateArray());
            Assert.Equal(attempt.Provider, only.GetProperty("receipt").GetProperty("provider").GetString());
            Assert.Equal(pack.Attempts[0].Signature, only.GetProperty("signature").GetString());
            Assert.Equal("accepted", root.GetProperty("verdict").GetProperty("outcome").GetString());
        }
        await Expect(page.GetByTestId("verify-command"))
            .ToHaveTextAsync($"og get {job.Id} -o job-{job.Id} --proof --coordinator {grid.Coordinator} && og verify job-{job.Id}");

        // Cost: the matched price × whole seconds rounded up, rounded down to a base unit, as the escrow pays.
        var expectedCost = $"{ExpectedCost(attempt, job.Resources.TimeoutSeconds)} USDC";
        await Expect(page.GetByTestId("cost-total")).ToHaveTextAsync(UsdcAmount());
        await Expect(page.GetByTestId("cost-total")).ToHaveTextAsync(expectedCost);
        var costRow = page.GetByTestId("cost-table").Locator("tbody tr").First;
        await Expect(costRow.Locator("td[data-label=Cost]")).ToHaveTextAsync(expectedCost);
        await Expect(costRow.Locator("td[data-label=Escrow]")).ToHaveTextAsync("released");
        await Expect(page.GetByTestId("payments-off")).ToBeVisibleAsync();

        foreach (var width in (int[])[Widths.Laptop, Widths.Phone])
        {
            await page.SetViewportSizeAsync(width, width == Widths.Phone ? 844 : 900);
            await tab.AssertNoHorizontalOverflowAsync($"the job detail page with receipts at {width}px");
            await tab.AssertControlsLabelledAsync($"the job detail page with receipts at {width}px");
            await tab.ScreenshotAsync("job-receipts");
        }
        tab.AssertNoScriptErrors("the job detail page with receipts");
    }

    [Fact]
    public async Task A_receipt_changed_after_signing_is_marked_as_not_signed_by_its_provider()
    {
        var account = TestAccount.Create(grid.Data);
        var job = await GridJobs.RunAsync(account.Client(grid.Coordinator), JobSpecs.Shell("tampered", "echo signed"));

        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await tab.SignInAsync(account);
        // The pack arrives with one signed number changed, as a coordinator rewriting a receipt would send it.
        await page.RouteAsync("**/v1/jobs/*/proof", async route =>
        {
            var response = await route.FetchAsync();
            var pack = JsonNode.Parse(await response.TextAsync())!;
            var usage = pack["attempts"]![0]!["receipt"]!["usage"]!;
            usage["wallMs"] = usage["wallMs"]!.GetValue<long>() + 1;
            await route.FulfillAsync(new() { Response = response, Body = pack.ToJsonString() });
        });
        await page.GotoAsync($"/ui/jobs/{job.Id}");

        var signature = page.GetByTestId("receipts-table").Locator("tbody tr td[data-label=Signature]");
        await Expect(signature).ToContainTextAsync("signature ✗");
        await Expect(signature).ToContainTextAsync("not the receipt's provider");
        tab.AssertNoScriptErrors("the job detail page with a changed receipt");
    }

    [Fact]
    public async Task Cost_so_far_counts_up_while_the_attempt_runs()
    {
        var account = TestAccount.Create(grid.Data);
        var client = account.Client(grid.Coordinator);
        var job = await client.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("slow", "sleep 20; echo done"), "slow.yaml", null), None);
        try
        {
            await WaitFor.ConditionAsync(async () => (await client.GetJobAsync(job.Id, None)).State == "running",
                TimeSpan.FromSeconds(60), "the slow job to start running");

            await using var tab = await grid.NewPageAsync();
            var page = tab.Page;
            await tab.SignInAsync(account);
            await page.GotoAsync($"/ui/jobs/{job.Id}");
            await Expect(page.GetByTestId("job-state")).ToHaveTextAsync("running");

            var row = page.GetByTestId("cost-table").Locator("tbody tr").First;
            await Expect(row.Locator("td[data-label=Escrow]")).ToHaveTextAsync("released if it succeeds");
            await Expect(page.GetByTestId("cost")).ToContainTextAsync("Estimated so far:");
            await Expect(page.GetByTestId("cost-total")).ToHaveTextAsync(UsdcAmount());
            await Expect(page.GetByTestId("receipts")).ToContainTextAsync("Receipts appear here when the job ends");
            var time = row.Locator("td[data-label=Time]");
            var before = await time.TextContentAsync();
            await Expect(time).Not.ToHaveTextAsync(before!); // the page redraws it as the attempt runs
            tab.AssertNoScriptErrors("the job detail page of a running job");
        }
        finally
        {
            await client.CancelAsync(job.Id, None);
        }
    }

    /// <summary>What the page should show for a finished attempt: EscrowRules.PayFor over its whole seconds.</summary>
    private static string ExpectedCost(AttemptView attempt, long timeoutSeconds)
    {
        Assert.True(TokenAmount.TryParse(attempt.PricePerHour, out var rate), $"attempt {attempt.Attempt} has no price: {attempt.PricePerHour}");
        var ms = attempt.FinishedAt!.Value.ToUnixTimeMilliseconds() - attempt.StartedAt!.Value.ToUnixTimeMilliseconds();
        var seconds = Math.Clamp((ms + 999) / 1000, 1, Math.Max(1, timeoutSeconds));
        return TokenAmount.FromBaseUnits(seconds * rate.BaseUnits / 3600).ToString();
    }

    [GeneratedRegex(@"^1 \(attempt 1, 0x[0-9a-f]{4}…[0-9a-f]{4}\)$")]
    private static partial Regex AgreeingFirstReceipt();

    [GeneratedRegex(@"^\d+\.\d{6} USDC$")]
    private static partial Regex UsdcAmount();
}
