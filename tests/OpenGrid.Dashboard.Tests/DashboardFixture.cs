using Microsoft.Playwright;
using OpenGrid.Testing;

namespace OpenGrid.Dashboard.Tests;

/// <summary>
/// A real grid and a real browser: the coordinator (which serves the dashboard) and two provider agents as
/// processes on a loopback port chosen at run time, and Debian's headless Chromium driven by Playwright with a fresh
/// profile. Every process is stopped by pid at the end.
/// </summary>
public class DashboardFixture : IAsyncLifetime
{
    /// <summary>Debian's build; Playwright cannot download its own browsers here.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
        "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;

    /// <summary>The grid every page test shares: a coordinator without payments and two providers.</summary>
    public DashboardFixture()
        : this(new TestGrid("dashboard", []))
    {
    }

    protected DashboardFixture(TestGrid grid) => Grid = grid;

    /// <summary>The grid under the browser.</summary>
    protected TestGrid Grid { get; }

    public TempDir Data => Grid.Data;

    public Uri Coordinator => Grid.Coordinator;

    public IBrowserContext Browser { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: the dashboard tests need Debian's Chromium; run apt-get install -y chromium (scripts/ensure-deps.sh --for-tests does)");

        await Grid.InitializeAsync();
        Http = new HttpClient { BaseAddress = Coordinator };

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
        await Grid.DisposeAsync();
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
