using System.Text.Json;
using System.Text.RegularExpressions;
using OpenGrid.Chain.Receipts;
using OpenGrid.Core;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Testing;

namespace OpenGrid.EndToEnd;

/// <summary>
/// <c>og dev</c> with payments (anvil from contracts/node_modules): the hello job is paid for, og dev prints both
/// balances, og balance reads the same from another process, and Ctrl-C stops anvil with the rest.
/// </summary>
public sealed partial class PaidDevGridTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan OgTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Og_dev_pays_the_provider_for_hello_and_og_balance_shows_it()
    {
        using var dir = new TempDir("opengrid-e2e-paid");
        var data = dir.Combine("grid");
        var home = dir.Combine("home");
        await using var dev = TestProcess.StartDotnet("og dev", GridFixture.OgDll,
            ["dev", "--data", data, "--port", "0"], new Dictionary<string, string> { ["OPENGRID_HOME"] = home });

        await dev.WaitForLineAsync(l => l.Contains("Press Ctrl-C to stop the grid."), StartTimeout, "the dev grid's ready line");
        var output = dev.Stdout;
        Assert.Contains("the example is paid for: og balance (you, the requester)", output);
        var anvilPid = int.Parse(AnvilLine().Match(output).Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        var earnings = EarningsLine().Matches(output).Select(m => Amount(m.Groups[1].Value)).ToList();
        Assert.Equal(2, earnings.Count);
        Assert.Equal(0, earnings[0]);
        Assert.True(earnings[1] > 0, $"the provider that ran hello earned something; og dev printed:\n{output}");
        Assert.Matches(@"chain        http://127\.0\.0\.1:\d+", output);

        await using (var balance = TestProcess.StartDotnet("og balance", GridFixture.OgDll, ["balance", "--json"],
            new Dictionary<string, string> { ["OPENGRID_HOME"] = home }))
        {
            Assert.Equal(0, await balance.WaitForExitAsync(OgTimeout));
            Assert.Contains("\"locked\":\"0.000000\"", balance.Stdout);
            Assert.Matches("\"available\":\"99\\.99\\d{4}\"", balance.Stdout); // 100 deposited, a few base units paid
        }

        // The coordinator's canary accounts: three keys only their owner can read, each with 100 USDC in escrow (less
        // what a canary that followed hello may have locked or paid).
        var canaryKeys = Path.Combine(data, "chain", "canary-keys.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(canaryKeys));
        var keys = JsonDocument.Parse(await File.ReadAllTextAsync(canaryKeys)).RootElement.GetProperty("privateKeys").EnumerateArray()
            .Select(k => new Nethereum.Signer.EthECKey(k.GetString()).GetPublicAddress()).ToList();
        Assert.Equal(3, keys.Distinct().Count());
        Assert.Contains("funded 3 canary account(s) of the coordinator: 100.000000 USDC each in escrow", output);
        var deployed = JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(Path.Combine(data, "chain", "deployment.json")))!;
        var escrow = new OpenGrid.Chain.Escrow.EscrowClient(new Nethereum.Web3.Web3(AnvilLine().Match(output).Groups[1].Value), deployed["escrow"]);
        foreach (var address in keys)
        {
            var balances = await escrow.GetBalancesAsync(address, CancellationToken.None);
            Assert.InRange(balances.Available.BaseUnits + balances.Locked.BaseUnits, 99 * 1_000_000L, 100 * 1_000_000L);
        }

        // The agent signed hello's receipt for this chain and its deployed ReceiptVerifier: the contract accepts it.
        var (receipt, signature, domain) = await HelloReceiptAsync(home, dir.Combine("proof"));
        var deployment = JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(Path.Combine(data, "chain", "deployment.json")))!;
        Assert.Equal((31337L, deployment["receiptVerifier"].ToLowerInvariant()), (domain.ChainId, domain.VerifyingContract));
        var verifier = new ReceiptVerifierClient(new Nethereum.Web3.Web3(AnvilLine().Match(output).Groups[1].Value), deployment["receiptVerifier"]);
        Assert.True(await verifier.VerifyAsync(ReceiptTuples.From(receipt), signature, CancellationToken.None),
            $"ReceiptVerifier.verify refused hello's receipt by {receipt.Provider}");

        dev.Interrupt();
        Assert.Equal(0, await dev.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(Directory.Exists($"/proc/{anvilPid}") && !File.ReadAllText($"/proc/{anvilPid}/stat").Contains(") Z"),
            $"og dev exited but anvil (pid {anvilPid}) is still running");
        Assert.True(File.Exists(Path.Combine(data, "chain", "anvil-state.json")), "anvil saved its state for the next og dev");
    }

    [Fact]
    public async Task Og_dev_stops_the_grid_and_says_so_when_anvil_dies()
    {
        using var dir = new TempDir("opengrid-e2e-anvil-dies");
        await using var dev = TestProcess.StartDotnet("og dev", GridFixture.OgDll,
            ["dev", "--data", dir.Combine("grid"), "--port", "0", "--no-example"],
            new Dictionary<string, string> { ["OPENGRID_HOME"] = dir.Combine("home") });
        await dev.WaitForLineAsync(l => l.Contains("Press Ctrl-C to stop the grid."), StartTimeout, "the dev grid's ready line");
        var anvilPid = int.Parse(AnvilLine().Match(dev.Stdout).Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);

        System.Diagnostics.Process.GetProcessById(anvilPid).Kill();

        Assert.Equal(1, await dev.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"the dev chain (anvil, pid {anvilPid}) exited", dev.Stderr);
    }

    /// <summary>The hello job's receipt, signature and domain, from <c>og jobs</c> and <c>og get --proof</c> as the requester.</summary>
    private static async Task<(Receipt Receipt, byte[] Signature, ReceiptDomainView Domain)> HelloReceiptAsync(string home, string target)
    {
        var env = new Dictionary<string, string> { ["OPENGRID_HOME"] = home };
        await using var jobs = TestProcess.StartDotnet("og jobs", GridFixture.OgDll, ["jobs", "--json"], env);
        Assert.Equal(0, await jobs.WaitForExitAsync(OgTimeout));
        var id = Assert.Single(JsonDocument.Parse(jobs.Stdout).RootElement.GetProperty("jobs").EnumerateArray()).GetProperty("id").GetString()!;
        await using var get = TestProcess.StartDotnet("og get --proof", GridFixture.OgDll, ["get", id, "-o", target, "--proof"], env);
        Assert.True(await get.WaitForExitAsync(OgTimeout) == 0, $"og get --proof failed:\n{get.Stdout}\n{get.Stderr}");
        var pack = JsonSerializer.Deserialize(await File.ReadAllTextAsync(Path.Combine(target, ProofPack.FileName)), OpenGridJsonContext.Default.ProofPack)!;
        var attempt = Assert.Single(pack.Attempts);
        Assert.True(ReceiptSigning.TryParseSignature(attempt.Signature, out var signature), $"signature '{attempt.Signature}'");
        return (attempt.Receipt.ToReceipt(out var malformed) ?? throw new InvalidDataException(malformed), signature, pack.Domain);
    }

    private static long Amount(string text) =>
        TokenAmount.TryParse(text, out var amount) ? amount.BaseUnits : throw new FormatException(text);

    [GeneratedRegex(@"started anvil on (\S+) \(pid (\d+)")]
    private static partial Regex AnvilLine();

    [GeneratedRegex(@"^\s+earnings\s+(\d+\.\d{6})", RegexOptions.Multiline)]
    private static partial Regex EarningsLine();
}
