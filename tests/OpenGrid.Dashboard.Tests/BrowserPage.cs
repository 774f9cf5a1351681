using System.Text.Json;
using Microsoft.Playwright;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Identity;
using OpenGrid.Testing;
using static Microsoft.Playwright.Assertions;

namespace OpenGrid.Dashboard.Tests;

/// <summary>
/// A browser tab on the dashboard. Records uncaught script errors and console errors (a CSP violation or a broken
/// module shows up there) so a test can assert the page ran cleanly; closes the tab on dispose.
/// </summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly List<string> _errors = [];

    public BrowserPage(IPage page)
    {
        Page = page;
        page.PageError += (_, error) => Record("uncaught: " + error);
        page.Console += (_, message) =>
        {
            // Chromium logs every non-2xx fetch as "Failed to load resource"; the pages show those answers themselves.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
                Record("console: " + message.Text);
        };
    }

    public IPage Page { get; }

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
                return [.. _errors];
        }
    }

    /// <summary>Signs in through the sign-in page by pasting the key's hex, as a person would.</summary>
    public async Task SignInAsync(TestAccount account)
    {
        await Page.GotoAsync("/ui/signin");
        await Page.GetByLabel("Private key (hex)").FillAsync(account.PrivateKeyHex);
        await Expect(Page.GetByTestId("derived-address")).ToContainTextAsync(account.Address);
        await Page.GetByTestId("sign-in").ClickAsync();
        await Expect(Page.GetByTestId("account-address")).ToHaveAttributeAsync("title", account.Address);
    }

    /// <summary>Sets a marker on window; <see cref="AssertNotReloadedAsync"/> fails if a reload cleared it.</summary>
    public Task MarkDocumentAsync() => Page.EvaluateAsync("() => { window.__openGridTestMarker = 'still-here'; }");

    public async Task AssertNotReloadedAsync() =>
        Assert.Equal("still-here", await Page.EvaluateAsync<string?>("() => window.__openGridTestMarker ?? null"));

    /// <summary>Saves a full-page screenshot as artifacts/test-results/screenshots/NAME-WIDTH.png.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(Screenshots.Folder);
        var width = Page.ViewportSize?.Width ?? 0;
        var path = Path.Combine(Screenshots.Folder, $"{name}-{width}.png");
        await Page.EvaluateAsync("() => window.scrollTo(0, 0)"); // a sticky header otherwise lands mid-picture
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        return path;
    }

    /// <summary>Nothing sticks out sideways: the page never scrolls horizontally at this width.</summary>
    public async Task AssertNoHorizontalOverflowAsync(string what)
    {
        var sizes = await Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        var (scroll, viewport) = (sizes[0], sizes[1]);
        Assert.True(scroll <= viewport, $"{what} is {scroll}px wide in a {viewport}px viewport: something overflows sideways");
    }

    /// <summary>Every visible form control has an accessible name (a label, aria-label or aria-labelledby).</summary>
    public async Task AssertControlsLabelledAsync(string what)
    {
        var unlabelled = await Page.EvaluateAsync<string[]>("""
            () => Array.from(document.querySelectorAll('input, select, textarea, button'))
              .filter(el => el.offsetParent !== null || el.type === 'file')
              .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')
                            && !(el.tagName === 'BUTTON' && el.textContent.trim()))
              .map(el => el.outerHTML.slice(0, 120))
            """);
        Assert.True(unlabelled.Length == 0, $"{what} has controls without a label: {string.Join(" | ", unlabelled)}");
    }

    public void AssertNoScriptErrors(string what) =>
        Assert.True(Errors.Count == 0, $"{what} logged script errors:\n{string.Join('\n', Errors)}");

    public async ValueTask DisposeAsync() => await Page.CloseAsync();

    private void Record(string text)
    {
        lock (_errors)
            _errors.Add(text);
    }
}

/// <summary>Where screenshots go: under the test results folder test.sh collects (artifacts/test-results/).</summary>
public static class Screenshots
{
    public static string Folder { get; } = Path.Combine(TestPaths.RepoRoot, "artifacts", "test-results", "screenshots");
}

/// <summary>A fresh requester account: a key file made the way <c>og</c> makes one, and a signed-in API client.</summary>
public sealed class TestAccount
{
    private TestAccount(string keyFile, string address, string privateKeyHex)
    {
        KeyFile = keyFile;
        Address = address;
        PrivateKeyHex = privateKeyHex;
    }

    /// <summary>The account's key.json (the file a user would load on the sign-in page).</summary>
    public string KeyFile { get; }

    /// <summary>0x-prefixed lowercase hex, as the coordinator writes addresses.</summary>
    public string Address { get; }

    public string PrivateKeyHex { get; }

    public static TestAccount Create(TempDir data)
    {
        var home = data.Combine("accounts", Guid.NewGuid().ToString("N"));
        var identity = KeyStore.LoadOrCreate(home);
        var keyFile = Path.Combine(home, KeyStore.KeyFileName);
        using var json = JsonDocument.Parse(File.ReadAllText(keyFile));
        return new TestAccount(keyFile, identity.Address.Value, json.RootElement.GetProperty("privateKey").GetString()!);
    }

    public OpenGridClient Client(Uri coordinator) =>
        new(new HttpClient { BaseAddress = coordinator }, Identity.FromPrivateKey(PrivateKeyHex));
}
