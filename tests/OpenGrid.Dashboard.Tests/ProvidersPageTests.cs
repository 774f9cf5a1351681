using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Identity;
using OpenGrid.Testing;
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
        var views = (await grid.Http.GetFromJsonAsync("v1/providers", OpenGridJsonContext.Default.ProviderListView))!.Providers;
        foreach (var n in new[] { 1, 2 })
        {
            var view = views.Single(p => p.Name == $"dashboard-provider-{n}");
            var card = cards.Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = view.Name }) });
            await Expect(card.GetByTestId("provider-state")).ToHaveTextAsync(new Regex("^(idle|busy)$"));
            await Expect(card.GetByTestId("hardware")).ToContainTextAsync($"{Environment.ProcessorCount} core");
            await Expect(card.GetByTestId("sandbox")).ToContainTextAsync("cgroups");
            await Expect(card.GetByTestId("reputation")).ToHaveTextAsync(view.Reputation!.Value.ToString("0.00", CultureInfo.InvariantCulture));
            await Expect(card.GetByTestId("terms")).ToContainTextAsync($"{view.Terms!.Prices.PerCpuCoreHour} USDC per core-hour");
        }
        await Expect(page.GetByTestId("provider-stats")).ToContainTextAsync("2providers");
        await Expect(page.GetByTestId("sign-in-link")).ToBeVisibleAsync(); // nobody signed in, and the page still works
        tab.AssertNoScriptErrors("the providers page");
    }

    [Fact]
    public async Task A_running_job_shows_on_its_provider_as_a_current_job_and_as_leased_cpu_and_memory()
    {
        var client = TestAccount.Create(grid.Data).Client(grid.Coordinator);
        var job = await client.SubmitAsync(new SubmitJobRequest(
            JobSpecs.Shell("leased", "echo started; sleep 300", cpu: "750m", memory: "192Mi", timeout: "10m"), "leased.yaml", null), CancellationToken.None);
        try
        {
            await WaitFor.ConditionAsync(async () => (await client.GetJobAsync(job.Id, CancellationToken.None)).State == "running",
                TimeSpan.FromSeconds(60), "the job to run");
            var provider = (await client.GetJobAsync(job.Id, CancellationToken.None)).Provider!;
            var view = (await grid.Http.GetFromJsonAsync("v1/providers", OpenGridJsonContext.Default.ProviderListView))!.Providers
                .Single(p => p.Address == provider);
            Assert.Contains(job.Id, view.CurrentJobs!);
            Assert.True(view.Leased!.CpuMillis >= 750 && view.Leased.MemoryBytes >= 192L << 20, $"leased {view.Leased}");

            await using var tab = await grid.NewPageAsync();
            var page = tab.Page;
            await page.GotoAsync("/ui/providers");
            var card = page.GetByTestId("provider").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = view.Name }) });
            await Expect(card.GetByTestId("current-jobs")).ToContainTextAsync(job.Id[..8]);
            var cores = (view.Leased.CpuMillis / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
            await Expect(card.GetByTestId("utilisation")).ToContainTextAsync($"{cores} of {view.Hardware.Cores} cores");
            await tab.ScreenshotAsync("providers-utilisation");
            tab.AssertNoScriptErrors("the providers page with a running job");
        }
        finally
        {
            await client.CancelAsync(job.Id, CancellationToken.None);
        }
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

    [Fact]
    public async Task A_providers_reputation_over_time_opens_as_a_chart_and_a_table_of_its_trust_events()
    {
        // A job verified by quorum on both providers gives each a verified_result event.
        var account = TestAccount.Create(grid.Data);
        await GridJobs.RunAsync(account.Client(grid.Coordinator), GridJobs.VerifiedSpec("reputation"));
        var address = TestGrid.AddressIn(grid.Data.Combine("provider-1"));

        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await page.GotoAsync("/ui/providers");
        var card = page.GetByTestId("provider").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "dashboard-provider-1" }) });
        var history = card.GetByTestId("reputation-history");
        await Expect(history.GetByTestId("time-chart")).ToBeHiddenAsync(); // fetched only when opened

        await history.GetByText("Reputation over time").ClickAsync();
        var reputation = (await grid.Http.GetFromJsonAsync($"v1/providers/{address}/reputation", OpenGridJsonContext.Default.ReputationView))!;
        Assert.NotEmpty(reputation.Events);
        var rows = history.GetByTestId("trust-events").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(reputation.Events.Count);
        await Expect(rows.First).ToContainTextAsync("verified_result");
        await Expect(rows.First.Locator("td[data-label='Score']")).ToHaveTextAsync(reputation.Events[0].ScoreAfter.ToString("0.00", CultureInfo.InvariantCulture));
        await Expect(history.GetByTestId("chart-point")).ToHaveCountAsync(reputation.Events.Count);
        await Expect(history.GetByRole(AriaRole.Img)).ToHaveAttributeAsync("aria-label", new Regex($"^Reputation of {address} over its last {reputation.Events.Count} trust events?"));
        await tab.ScreenshotAsync("providers-reputation");
        tab.AssertNoScriptErrors("the providers page");
    }
}
