using System.Globalization;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OpenGrid.Dashboard.Tests;

/// <summary>Job detail for a job verified by quorum: its replicas, the providers that ran them and their verdicts.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class VerificationPageTests(DashboardFixture grid)
{
    [Fact]
    public async Task Job_detail_lists_a_verified_jobs_replicas_with_their_providers_and_verdicts()
    {
        var account = TestAccount.Create(grid.Data);
        var job = await GridJobs.RunAsync(account.Client(grid.Coordinator), GridJobs.VerifiedSpec("verified"));
        var replicas = job.Replicas!;
        Assert.Equal(2, replicas.Count);

        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await tab.SignInAsync(account);
        await page.GotoAsync($"/ui/jobs/{job.Id}");

        await Expect(page.GetByTestId("job-state")).ToHaveTextAsync("succeeded");
        var rows = page.GetByTestId("replicas-table").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        for (var i = 0; i < replicas.Count; i++)
        {
            var (replica, row) = (replicas[i], rows.Nth(i));
            await Expect(row.Locator("td[data-label=Replica]")).ToHaveTextAsync(replica.Replica.ToString(CultureInfo.InvariantCulture));
            await Expect(row.Locator("td[data-label=Provider] code")).ToHaveAttributeAsync("title", replica.Provider!);
            await Expect(row.Locator("td[data-label=Verdict]")).ToHaveTextAsync("agreed");
            if (replica.JobId == job.Id)
                await Expect(row.Locator("td[data-label=Job]")).ToHaveTextAsync("this job");
        }
        Assert.NotEqual(replicas[0].Provider, replicas[1].Provider);

        // The proof pack holds both replicas' receipts, each signed by the provider that ran it, and both agree.
        var receipts = page.GetByTestId("receipts-table").Locator("tbody tr");
        await Expect(receipts).ToHaveCountAsync(2);
        await Expect(receipts.Locator("td[data-label=Signature]")).ToHaveTextAsync(["signature ✓", "signature ✓"]);
        await Expect(receipts.Locator("td[data-label=Verdict]")).ToHaveTextAsync(["agrees", "agrees"]);
        var signers = await receipts.Locator("td[data-label=Provider] code").EvaluateAllAsync<string[]>("els => els.map(e => e.title)");
        Assert.Equal(replicas.Select(r => r.Provider!).Order(StringComparer.Ordinal), signers.Order(StringComparer.Ordinal));
        await Expect(page.GetByTestId("verdict")).ToHaveTextAsync("accepted");

        // The other replica is a job of the same requester, one click away, and its page points back to this one.
        var other = replicas.Single(r => r.JobId != job.Id);
        await rows.Nth(replicas.ToList().IndexOf(other)).Locator("td[data-label=Job] a").ClickAsync();
        await Expect(page).ToHaveURLAsync($"{grid.Coordinator}ui/jobs/{other.JobId}");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = job.Id })).ToBeVisibleAsync();
        await page.GoBackAsync();
        await Expect(page.GetByTestId("replicas-table")).ToBeVisibleAsync();
        await tab.ScreenshotAsync("job-replicas");
        tab.AssertNoScriptErrors("the job detail page");
    }
}
