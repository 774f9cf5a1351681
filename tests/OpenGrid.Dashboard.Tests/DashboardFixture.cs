using System.Net.Http.Json;
using Microsoft.Playwright;
using OpenGrid.Protocol;
using OpenGrid.Testing;

namespace OpenGrid.Dashboard.Tests;

/// <summary>
/// A real grid and a real browser: the coordinator (which serves the dashboard) and two provider agents as
/// processes on a loopback port chosen at run time, and Debian's headless Chromium driven by Playwright with a fresh
/// profile. Every process is stopped by pid at the end.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    /// <summary>Debian's build; Playwright cannot download its own browsers here.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly List<TestProcess> _processes = [];
    private IPlaywright? _playwright;

    public TempDir Data { get; } = new("opengrid-dashboard");

    public Uri Coordinator { get; private set; } = null!;

    public IBrowserContext Browser { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: the dashboard tests need Debian's Chromium; run apt-get install -y chromium (scripts/ensure-deps.sh --for-tests does)");

        Coordinator = new Uri($"http://127.0.0.1:{FreePort.Pick()}/");
        Http = new HttpClient { BaseAddress = Coordinator };
        _processes.Add(TestProcess.StartDotnet("coordinator", TestPaths.BuiltDll("OpenGrid.Coordinator", "OpenGrid.Coordinator"),
            ["--urls", Coordinator.ToString().TrimEnd('/'), "--Coordinator:DataDir=" + Data.Combine("coordinator")]));
        await WaitFor.ConditionAsync(async () =>
        {
            try
            {
                return (await Http.GetAsync("v1/info")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, StartTimeout, $"the coordinator to answer /v1/info at {Coordinator}");

        var og = TestPaths.BuiltDll("OpenGrid.Cli", "og");
        for (var i = 1; i <= 2; i++)
        {
            _processes.Add(TestProcess.StartDotnet($"provider-{i}", og,
                ["provider", "start", "--coordinator", Coordinator.ToString(), "--name", $"dashboard-provider-{i}"],
                new Dictionary<string, string> { ["OPENGRID_HOME"] = Data.Combine($"provider-{i}") }));
        }
        await WaitFor.ConditionAsync(async () =>
        {
            var list = await Http.GetFromJsonAsync("v1/providers", OpenGridJsonContext.Default.ProviderListView);
            return list!.Providers.Count(p => p.State != "offline") == 2;
        }, StartTimeout, "both providers to connect to the coordinator");

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchPersistentContextAsync(Data.Combine("chromium-profile"), new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            BaseURL = Coordinator.ToString(),
            ViewportSize = new ViewportSize { Width = Widths.Laptop, Height = 900 },
            AcceptDownloads = true,
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        Assertions.SetDefaultExpectTimeout(20_000);
    }

    /// <summary>A new tab (its own sessionStorage, so signed out) at the given width, recording script errors.</summary>
    public async Task<BrowserPage> NewPageAsync(int width = Widths.Laptop)
    {
        var page = await Browser.NewPageAsync();
        await page.SetViewportSizeAsync(width, width < Widths.Laptop ? 844 : 900);
        return new BrowserPage(page);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.CloseAsync();
        _playwright?.Dispose();
        Http?.Dispose();
        foreach (var p in Enumerable.Reverse(_processes))
            await p.DisposeAsync();
        Data.Dispose();
    }
}

/// <summary>The two widths every page is checked at.</summary>
public static class Widths
{
    public const int Laptop = 1280;
    public const int Phone = 390;
}

[CollectionDefinition(nameof(DashboardCollection))]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>;
