using Microsoft.Playwright;
using OpenGrid.Protocol.Api;
using OpenGrid.Testing;
using static Microsoft.Playwright.Assertions;

namespace OpenGrid.Dashboard.Tests;

/// <summary>
/// State changes reach an open page without a reload. The job runs until it is cancelled from outside the page
/// (through the API, as the CLI would), so the test does not race the job's own timing.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class LiveUpdateTests(DashboardFixture grid)
{
    private static readonly LocatorAssertionsToHaveTextOptions Eventually = new() { Timeout = 60_000 };

    [Fact]
    public async Task Jobs_list_shows_a_job_going_from_running_to_cancelled_and_one_submitted_elsewhere_without_reload_and_filters_by_state()
    {
        var account = TestAccount.Create(grid.Data);
        var client = account.Client(grid.Coordinator);
        var job = await client.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("long-listed", "echo started; sleep 300", timeout: "10m"), "long.yaml", null), CancellationToken.None);
        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await tab.SignInAsync(account);
        await page.GotoAsync("/ui/jobs");

        var row = page.Locator($"[data-testid=job-row][data-job-id='{job.Id}']");
        await Expect(row.GetByTestId("job-row-state")).ToHaveTextAsync("running", Eventually);
        await Expect(page.GetByTestId("live-status")).ToContainTextAsync("Live: 1 active job");
        await tab.ScreenshotAsync("jobs-running");
        await tab.MarkDocumentAsync();

        // Submitted from outside the page (as with og submit): it appears on its own, then both are cancelled.
        var other = await client.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("long-elsewhere", "sleep 300", timeout: "10m"), "long.yaml", null), CancellationToken.None);
        var otherRow = page.Locator($"[data-testid=job-row][data-job-id='{other.Id}']");
        await Expect(otherRow).ToBeVisibleAsync();
        await Expect(page.GetByTestId("job-row").First).ToHaveAttributeAsync("data-job-id", other.Id); // newest first
        await client.CancelAsync(other.Id, CancellationToken.None);
        await Expect(otherRow.GetByTestId("job-row-state")).ToHaveTextAsync("cancelled", Eventually);

        await client.CancelAsync(job.Id, CancellationToken.None);
        await Expect(row.GetByTestId("job-row-state")).ToHaveTextAsync("cancelled", Eventually);
        await tab.AssertNotReloadedAsync();
        await Expect(page.GetByTestId("live-status")).ToHaveTextAsync("No active jobs.");

        await page.GetByLabel("State").SelectOptionAsync("succeeded");
        await Expect(page.GetByTestId("jobs-empty")).ToContainTextAsync("no succeeded jobs");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/ui/jobs\\?state=succeeded$"));
        await page.GetByLabel("State").SelectOptionAsync("cancelled");
        await Expect(page.GetByTestId("job-row")).ToHaveCountAsync(2);
        tab.AssertNoScriptErrors("the jobs page");
    }

    [Fact]
    public async Task Job_detail_tails_the_log_shows_the_spec_and_shows_the_end_without_reload()
    {
        var account = TestAccount.Create(grid.Data);
        var client = account.Client(grid.Coordinator);
        var job = await client.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("long-detail", "echo first line; echo to stderr >&2; sleep 300", timeout: "10m"), "long.yaml", null), CancellationToken.None);
        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await tab.SignInAsync(account);
        await page.GotoAsync($"/ui/jobs/{job.Id}");

        await Expect(page.GetByTestId("job-state")).ToHaveTextAsync("running", Eventually);
        await Expect(page.GetByTestId("log")).ToContainTextAsync("first line");
        await Expect(page.Locator("[data-testid=log] .log__stderr")).ToContainTextAsync("to stderr");
        await Expect(page.GetByTestId("attempts-table")).ToContainTextAsync("running");
        await Expect(page.GetByTestId("spec")).ToContainTextAsync("name: long-detail");
        await tab.MarkDocumentAsync();

        await client.CancelAsync(job.Id, CancellationToken.None);
        await Expect(page.GetByTestId("job-state")).ToHaveTextAsync("cancelled", Eventually);
        await tab.AssertNotReloadedAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel job" })).ToBeHiddenAsync();
        tab.AssertNoScriptErrors("the job detail page");
    }

    [Fact]
    public async Task Cancel_button_on_the_detail_page_stops_a_running_job()
    {
        var account = TestAccount.Create(grid.Data);
        var client = account.Client(grid.Coordinator);
        var job = await client.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("long-cancel", "echo started; sleep 300", timeout: "10m"), "long.yaml", null), CancellationToken.None);
        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await tab.SignInAsync(account);
        await page.GotoAsync($"/ui/jobs/{job.Id}");
        await Expect(page.GetByTestId("job-state")).ToHaveTextAsync("running", Eventually);

        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel job" }).ClickAsync();

        await Expect(page.GetByTestId("job-state")).ToHaveTextAsync("cancelled", Eventually);
        Assert.Equal("cancelled", (await client.GetJobAsync(job.Id, CancellationToken.None)).State);
        tab.AssertNoScriptErrors("the job detail page");
    }
}
