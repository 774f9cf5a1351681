using Microsoft.Playwright;
using OpenGrid.Protocol.Identity;
using static Microsoft.Playwright.Assertions;

namespace OpenGrid.Dashboard.Tests;

[Collection(nameof(DashboardCollection))]
public sealed class SignInTests(DashboardFixture grid)
{
    [Fact]
    public async Task Signing_in_with_key_json_keeps_only_the_token_and_never_sends_the_key()
    {
        var account = TestAccount.Create(grid.Data);
        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        var sent = new List<string>();
        page.Request += (_, request) =>
        {
            lock (sent)
                sent.Add(request.Url + "\n" + request.PostData);
        };

        await page.GotoAsync("/ui/jobs");
        await Expect(page.GetByTestId("sign-in-required")).ToBeVisibleAsync();
        await page.GetByTestId("sign-in-required").GetByRole(AriaRole.Link, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByLabel("or load key.json").SetInputFilesAsync(account.KeyFile);
        await Expect(page.GetByTestId("derived-address")).ToHaveTextAsync($"Account: {account.Address}");
        await tab.ScreenshotAsync("signin");
        await page.GetByTestId("sign-in").ClickAsync();

        await Expect(page.GetByTestId("account-address")).ToHaveAttributeAsync("title", account.Address);
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/ui/jobs$")); // back where sign-in was asked for
        await Expect(page.GetByTestId("jobs-empty")).ToBeVisibleAsync();

        var keyHex = account.PrivateKeyHex.Replace("0x", "", StringComparison.Ordinal);
        var stored = await page.EvaluateAsync<string>("() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage })");
        var session = await page.EvaluateAsync<string[]>("() => { const s = JSON.parse(sessionStorage.getItem('opengrid.session')); return [s.address, s.token]; }");
        Assert.Equal(account.Address, session[0]);
        using (var request = new HttpRequestMessage(HttpMethod.Get, "v1/jobs"))
        {
            request.Headers.Authorization = new("Bearer", session[1]);
            using var response = await grid.Http.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode); // the kept token is a working one
        }
        Assert.DoesNotContain(keyHex, stored, StringComparison.OrdinalIgnoreCase);
        lock (sent)
        {
            Assert.Contains(sent, s => s.Contains("/v1/auth/token", StringComparison.Ordinal));
            Assert.DoesNotContain(sent, s => s.Contains(keyHex, StringComparison.OrdinalIgnoreCase));
        }

        await page.GetByTestId("sign-out").ClickAsync();
        await Expect(page.GetByTestId("sign-in-link")).ToBeVisibleAsync();
        Assert.Equal("{}", await page.EvaluateAsync<string>("() => JSON.stringify({ ...sessionStorage })"));
        tab.AssertNoScriptErrors("sign-in");
    }

    [Fact]
    public async Task A_malformed_key_is_refused_on_the_page_before_anything_is_sent()
    {
        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await page.GotoAsync("/ui/signin");
        var authCalls = 0;
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/v1/auth/", StringComparison.Ordinal))
                Interlocked.Increment(ref authCalls);
        };

        await page.GetByLabel("Private key (hex)").FillAsync("0x1234");
        await Expect(page.GetByTestId("derived-address")).ToHaveTextAsync("Not a valid key yet.");
        await page.GetByTestId("sign-in").ClickAsync();

        await Expect(page.GetByTestId("sign-in-error")).ToContainTextAsync("64 hexadecimal characters");
        await Expect(page.GetByLabel("Private key (hex)")).ToBeFocusedAsync();
        Assert.Equal(0, authCalls);
        tab.AssertNoScriptErrors("the sign-in page");
    }

    [Fact]
    public async Task The_page_signs_a_challenge_byte_for_byte_as_the_cli_does()
    {
        var account = TestAccount.Create(grid.Data);
        await using var tab = await grid.NewPageAsync();
        await tab.Page.GotoAsync("/ui/signin");
        // Non-ASCII on purpose: EIP-191 prefixes the UTF-8 byte length, not the character count.
        const string message = "OpenGrid sign-in\naddress: test\nnonce: ünïcødé ✓ 日本\nexpires: 2030-01-01T00:00:00Z";

        var browser = await tab.Page.EvaluateAsync<string[]>("""
            async ([message, key]) => {
              const auth = await import('/ui/assets/auth.js');
              const secret = auth.parseKey(key);
              return [auth.addressOf(secret), auth.personalSign(message, secret)];
            }
            """, new object[] { message, account.PrivateKeyHex });

        var identity = Identity.FromPrivateKey(account.PrivateKeyHex);
        Assert.Equal(account.Address, browser[0]);
        Assert.Equal(identity.SignMessage(message), browser[1], ignoreCase: true);
        Assert.Equal(identity.Address, Identity.RecoverSigner(message, browser[1]));
    }
}
