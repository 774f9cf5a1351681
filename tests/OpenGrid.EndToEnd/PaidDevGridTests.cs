using System.Text.RegularExpressions;
using OpenGrid.Core;
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
        var anvilPid = int.Parse(AnvilLine().Match(output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
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
        var anvilPid = int.Parse(AnvilLine().Match(dev.Stdout).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        System.Diagnostics.Process.GetProcessById(anvilPid).Kill();

        Assert.Equal(1, await dev.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"the dev chain (anvil, pid {anvilPid}) exited", dev.Stderr);
    }

    private static long Amount(string text) =>
        TokenAmount.TryParse(text, out var amount) ? amount.BaseUnits : throw new FormatException(text);

    [GeneratedRegex(@"started anvil on \S+ \(pid (\d+)")]
    private static partial Regex AnvilLine();

    [GeneratedRegex(@"^\s+earnings\s+(\d+\.\d{6})", RegexOptions.Multiline)]
    private static partial Regex EarningsLine();
}
