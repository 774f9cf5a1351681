using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpenGrid.Chain.Escrow;
using OpenGrid.Core;
using OpenGrid.Testing;
using static Microsoft.Playwright.Assertions;

namespace OpenGrid.Dashboard.Tests;

/// <summary>
/// Submitting from the page on a grid that settles payments: the page signs the job's authorization for the escrow
/// with the account key, in the tab, and the job's lease opens under it on a real anvil.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed partial class PaidSubmitPageTests(PaidDashboardFixture grid) : IClassFixture<PaidDashboardFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly string HelloFolder = Path.Combine(TestPaths.RepoRoot, "examples", "hello");

    [Fact]
    public async Task Hello_submitted_from_the_page_carries_an_authorization_signed_in_the_tab_and_its_lease_opens_under_it()
    {
        var account = TestAccount.Create(grid.Data);
        var stranger = TestAccount.Create(grid.Data);
        var chain = await grid.ContractsForAsync(account);
        var deposit = TokenAmount.FromBaseUnits(1_000_000);
        await chain.Token.MintAsync(account.Address, deposit, None);
        await chain.Token.ApproveAsync(chain.Escrow.Address, deposit, None);
        await chain.Escrow.DepositAsync(deposit, None);

        await using var tab = await grid.NewPageAsync();
        var page = tab.Page;
        await tab.SignInAsync(account);
        await page.GotoAsync("/ui/submit");
        await Expect(page.GetByTestId("payment")).ToBeVisibleAsync();
        await page.GetByLabel("Job spec (YAML)").FillAsync(await File.ReadAllTextAsync(Path.Combine(HelloFolder, "job.yaml")));
        await page.GetByLabel("Attach input files").SetInputFilesAsync([Path.Combine(HelloFolder, "hello.sh"), Path.Combine(HelloFolder, "greeting.txt")]);
        var posts = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Method == "POST")
                lock (posts)
                    posts.Add(new Uri(request.Url).AbsolutePath);
        };

        // Another account's key cannot authorize this account's job: refused on the page, nothing sent.
        var key = page.GetByLabel("Your account key (signs the authorization)");
        await key.FillAsync(stranger.PrivateKeyHex);
        await page.GetByTestId("submit").ClickAsync();
        await Expect(page.GetByTestId("authorizing-key-error")).ToContainTextAsync($"but you are signed in as {account.Address}");
        lock (posts)
            Assert.Empty(posts);

        await key.FillAsync(account.PrivateKeyHex);
        await tab.AssertControlsLabelledAsync("/ui/submit with payments on");
        await tab.ScreenshotAsync("submit-paid-form");
        await page.GetByTestId("submit").ClickAsync();
        await page.WaitForURLAsync(JobUrl());
        lock (posts)
        {
            // Checked (input.missing), both files uploaded, refused for want of an authorization (with the terms), signed.
            Assert.Equal(["/v1/jobs", "/v1/content", "/v1/content", "/v1/jobs", "/v1/jobs"], posts);
        }
        await Expect(page.GetByTestId("job-state")).ToHaveTextAsync("succeeded", new() { Timeout = 90_000 });

        // The lease opened on chain under the authorization the page signed for this account.
        var jobId = JobUrl().Match(page.Url).Groups[1].Value;
        EscrowLease? lease = null;
        await WaitFor.ConditionAsync(async () => (lease = await chain.Escrow.GetLeaseAsync(EscrowLeaseId.FromKey($"{jobId}/1"), None)) is not null,
            TimeSpan.FromSeconds(60), $"the escrow lease of job {jobId}");
        Assert.Equal(account.Address, lease!.Requester.ToLowerInvariant());
        Assert.NotEqual(new byte[32], lease.Job);
        Assert.True((await chain.Escrow.CommittedAsync(account.Address, lease.Job, None)).BaseUnits > 0, "the lease counts against the page's authorization");
        await tab.ScreenshotAsync("submit-paid-job");
        tab.AssertNoScriptErrors("the submit page signing a job authorization");
    }

    [GeneratedRegex(@"/ui/jobs/([0-9a-z-]+)$")]
    private static partial Regex JobUrl();
}
