using Microsoft.Playwright;
using OpenGrid.Protocol.Api;
using OpenGrid.Testing;
using static Microsoft.Playwright.Assertions;

namespace OpenGrid.Dashboard.Tests;

/// <summary>
/// Every page at laptop and phone width: it renders without script errors, nothing overflows sideways, every
/// control has a label, and a screenshot is saved under artifacts/test-results/screenshots/ for a person to look at.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class PagesTests(DashboardFixture grid)
{
    public static TheoryData<int> BothWidths => new() { Widths.Laptop, Widths.Phone };

    [Theory]
    [MemberData(nameof(BothWidths))]
    public async Task Every_page_renders_labelled_and_without_sideways_overflow(int width)
    {
        var account = TestAccount.Create(grid.Data);
        var client = account.Client(grid.Coordinator);
        var done = await client.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("quick", "echo quick job done"), "quick.yaml", null), CancellationToken.None);
        await WaitFor.ConditionAsync(async () => (await client.GetJobAsync(done.Id, CancellationToken.None)).State == "succeeded",
            TimeSpan.FromSeconds(60), "the quick job to succeed");

        await using var tab = await grid.NewPageAsync(width);
        var page = tab.Page;

        await Visit("/ui/signin", "signin-page", "Sign in");
        await tab.SignInAsync(account);
        await Visit("/ui/jobs", "jobs", "Your jobs", () => Expect(page.GetByTestId("job-row")).ToHaveCountAsync(1));
        await Visit($"/ui/jobs/{done.Id}", "job-detail", "quick");
        await Expect(page.GetByTestId("job-state")).ToHaveTextAsync("succeeded");
        await Expect(page.GetByTestId("log")).ToContainTextAsync("quick job done");
        await Visit("/ui/submit", "submit", "Submit a job");
        await Visit("/ui/providers", "providers", "Providers", () => Expect(page.GetByTestId("provider")).ToHaveCountAsync(2));
        await Visit("/ui/market", "market", "Market", () => Expect(page.GetByTestId("depth-table")).ToBeVisibleAsync());
        await Visit("/ui/balance", "balance", "Balance and earnings", () => Expect(page.GetByTestId("payments-off")).ToBeVisibleAsync());
        await Visit("/ui/no-such-page", "not-found", "Page not found");
        tab.AssertNoScriptErrors($"the pages at {width}px");

        // A page that keeps an event stream open never goes network-idle: it says when it has shown its data instead.
        async Task Visit(string path, string name, string heading, Func<Task>? shown = null)
        {
            await page.GotoAsync(path);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(heading);
            await (shown?.Invoke() ?? page.WaitForLoadStateAsync(LoadState.NetworkIdle));
            await tab.AssertNoHorizontalOverflowAsync($"{path} at {width}px");
            await tab.AssertControlsLabelledAsync($"{path} at {width}px");
            await tab.ScreenshotAsync(name);
        }
    }

    [Fact]
    public async Task Keyboard_alone_reaches_the_navigation_and_moves_between_pages()
    {
        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await page.GotoAsync("/ui/market");

        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" })).ToBeFocusedAsync();
        var providers = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Providers" });
        for (var i = 0; i < 10 && !await providers.EvaluateAsync<bool>("el => el === document.activeElement"); i++)
            await page.Keyboard.PressAsync("Tab");
        await Expect(providers).ToBeFocusedAsync();
        var ring = await providers.EvaluateAsync<string>("el => getComputedStyle(el).outlineStyle");
        Assert.Equal("solid", ring);

        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/ui/providers$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeFocusedAsync();
        await Expect(providers).ToHaveAttributeAsync("aria-current", "page");
        tab.AssertNoScriptErrors("keyboard navigation");
    }
}
