using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpenGrid.Testing;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OpenGrid.Dashboard.Tests;

[Collection(nameof(DashboardCollection))]
public sealed partial class SubmitPageTests(DashboardFixture grid, ITestOutputHelper log)
{
    private static readonly string HelloFolder = Path.Combine(TestPaths.RepoRoot, "examples", "hello");
    private static readonly LocatorAssertionsToHaveTextOptions JobFinishes = new() { Timeout = 90_000 };

    [Fact]
    public async Task Hello_submitted_through_the_page_reaches_succeeded_without_reload_and_its_output_previews_and_downloads()
    {
        var account = TestAccount.Create(grid.Data);
        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await page.AddInitScriptAsync(RecordJobStates);
        await tab.SignInAsync(account);

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Submit" }).ClickAsync();
        await page.GetByLabel("Job spec (YAML)").FillAsync(await File.ReadAllTextAsync(Path.Combine(HelloFolder, "job.yaml")));
        await page.GetByLabel("Attach input files").SetInputFilesAsync([Path.Combine(HelloFolder, "hello.sh"), Path.Combine(HelloFolder, "greeting.txt")]);
        var rows = page.GetByTestId("input-row");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Filter(new() { HasText = "hello.sh" })).ToContainTextAsync("✓");
        await Expect(rows.Filter(new() { HasText = "greeting.txt" })).ToContainTextAsync("✓");
        await tab.MarkDocumentAsync();
        await tab.ScreenshotAsync("submit-filled");

        var posts = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Method == "POST")
                lock (posts)
                    posts.Add(new Uri(request.Url).AbsolutePath);
        };
        await page.GetByTestId("submit").ClickAsync();
        await page.WaitForURLAsync(JobUrl());
        await tab.ScreenshotAsync("job-detail-live");
        lock (posts)
        {
            // Checked first (no CIDs: input.missing), then both files uploaded, then the real submit.
            Assert.Equal(["/v1/jobs", "/v1/content", "/v1/content", "/v1/jobs"], posts);
        }

        await Expect(page.GetByTestId("job-state")).ToHaveTextAsync("succeeded", JobFinishes);
        await tab.AssertNotReloadedAsync();
        var seen = await page.EvaluateAsync<string[]>("() => window.__openGridStates");
        log.WriteLine($"states the detail page showed: {string.Join(" → ", seen)}");
        Assert.Equal("succeeded", seen[^1]);
        await Expect(page.GetByTestId("job-name")).ToHaveTextAsync("hello");
        await Expect(page.GetByTestId("log")).ToContainTextAsync("Hello from OpenGrid!");
        await Expect(page.GetByTestId("attempts-table")).ToContainTextAsync("succeeded");

        var output = page.Locator("[data-testid=output][data-path='hello.txt']");
        await Expect(output.GetByTestId("text-preview")).ToContainTextAsync("Hello from OpenGrid!");
        var download = await page.RunAndWaitForDownloadAsync(() => output.GetByTestId("download").ClickAsync());
        Assert.Equal("hello.txt", download.SuggestedFilename);
        var downloaded = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("Hello from OpenGrid!", downloaded, StringComparison.Ordinal);

        await tab.ScreenshotAsync("job-detail-succeeded");
        await page.SetViewportSizeAsync(Widths.Phone, 844);
        await tab.AssertNoHorizontalOverflowAsync("the job detail page at phone width");
        await tab.ScreenshotAsync("job-detail-succeeded");
        tab.AssertNoScriptErrors("the submit and job detail pages");
    }

    [Fact]
    public async Task Bad_spec_shows_its_error_next_to_its_line_number_and_uploads_nothing()
    {
        var account = TestAccount.Create(grid.Data);
        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await tab.SignInAsync(account);
        await page.GotoAsync("/ui/submit");

        var lines = (await File.ReadAllTextAsync(Path.Combine(HelloFolder, "job.yaml"))).Split('\n');
        var badLine = Array.FindIndex(lines, l => l.StartsWith("resources:", StringComparison.Ordinal)) + 1;
        lines[badLine - 1] = lines[badLine - 1].Replace("128Mi", "2 gigs", StringComparison.Ordinal);
        await page.GetByLabel("Job spec (YAML)").FillAsync(string.Join('\n', lines));
        await page.GetByLabel("Attach input files").SetInputFilesAsync([Path.Combine(HelloFolder, "hello.sh"), Path.Combine(HelloFolder, "greeting.txt")]);
        await page.GetByTestId("submit").ClickAsync();

        var error = page.GetByTestId("spec-error");
        await Expect(error).ToHaveCountAsync(1);
        await Expect(error).ToContainTextAsync($"Line {badLine}, column");
        await Expect(error).ToContainTextAsync("resources.memory");
        await Expect(error).ToContainTextAsync("'2 gigs' is not a size");
        var marked = page.GetByTestId("gutter").Locator(".editor__line--error");
        await Expect(marked).ToHaveCountAsync(1);
        await Expect(marked).ToHaveAttributeAsync("data-line", badLine.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(marked).ToHaveAttributeAsync("title", new Regex("resources\\.memory: '2 gigs' is not a size"));

        // The line link puts the caret on the offending line, for keyboard users.
        await error.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(page.GetByLabel("Job spec (YAML)")).ToBeFocusedAsync();
        var caretLine = await page.GetByLabel("Job spec (YAML)").EvaluateAsync<int>("t => t.value.slice(0, t.selectionStart).split('\\n').length");
        Assert.Equal(badLine, caretLine);

        await Expect(page.GetByTestId("upload")).ToHaveCountAsync(0);
        await Expect(page).ToHaveURLAsync(new Regex("/ui/submit$"));
        var jobs = await account.Client(grid.Coordinator).ListJobsAsync(null, CancellationToken.None);
        Assert.Empty(jobs.Jobs);

        await tab.ScreenshotAsync("submit-spec-error");
        await page.SetViewportSizeAsync(Widths.Phone, 844);
        await tab.AssertNoHorizontalOverflowAsync("the submit page with errors at phone width");
        await tab.ScreenshotAsync("submit-spec-error");
        tab.AssertNoScriptErrors("the submit page");
    }

    /// <summary>Records every state the job detail page's badge shows, in order (installed before the app loads).</summary>
    private const string RecordJobStates = """
        window.__openGridStates = [];
        new MutationObserver(() => {
          const state = document.querySelector('[data-testid=job-state]')?.textContent;
          if (state && window.__openGridStates.at(-1) !== state) window.__openGridStates.push(state);
        }).observe(document, { subtree: true, childList: true, characterData: true });
        """;

    [GeneratedRegex("/ui/jobs/[^/]+$")]
    private static partial Regex JobUrl();
}
